import torch

x = torch.randn(3, requires_grad=True)
use_features = True
if use_features:
    h = x * 2
else:
    h = torch.zeros(3)
h = h * 3
h.sum().backward()
