import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 1
z = h.mul(2) + 1
z.sum().backward()
print(x.grad)
