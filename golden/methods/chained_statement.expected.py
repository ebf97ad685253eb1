import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 1
h = h * 2 + 1
h.sum().backward()
print(x.grad)
