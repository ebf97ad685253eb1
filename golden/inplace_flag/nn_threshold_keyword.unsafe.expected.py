import torch
import torch.nn as nn

gate = nn.Threshold(0.1, 0.0)
x = torch.randn(3, requires_grad=True)
gate(x.exp()).sum().backward()
