import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x.cos()
print(h.mul_(2))
h.sum().backward()
print(x.grad)
