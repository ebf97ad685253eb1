import torch

x = torch.randn(3, requires_grad=True)
x = x.tolist()
x += [1]
print(x)
