import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x.cos()
h = h * 2
print(h)
h.sum().backward()
print(x.grad)
