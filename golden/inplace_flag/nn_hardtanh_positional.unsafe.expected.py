import torch
import torch.nn as nn

clip = nn.Hardtanh(-2.0, 2.0)
x = torch.randn(3, requires_grad=True)
clip(x * 2).sum().backward()
