import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 1
v = h.view(-1)
v = v * 10
h.sum().backward()
print(x.grad)
