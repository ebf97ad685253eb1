import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 1
z = h.add_(1).mul_(2)
print(z is h, h)
(z + h).sum().backward()
print(x.grad)
