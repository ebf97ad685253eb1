import torch

x = torch.randn(5, requires_grad=True)
n = len(x)
n -= 1
print(n)
