import torch

x = torch.randn(4, 3, requires_grad=True)
h = x * 2
v = torch.zeros(4)
h = h.clone()
h[:, 0] = v
h.sum().backward()
print(x.grad)
