import torch

x = torch.randn(4, 3, requires_grad=True)
h = x.exp()
h[:, 1] *= 0.5
h.sum().backward()
print(x.grad)
