import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 1
h = (h + 1) * 2
z = h
print(z is h, h)
(z + h).sum().backward()
print(x.grad)
