import torch
import torch.nn as nn

act = nn.LeakyReLU(0.2)
x = torch.randn(3, requires_grad=True)
act(x * 2).sum().backward()
