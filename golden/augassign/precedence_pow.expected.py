import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x + 1
y = y ** (1 / 2)
y.sum().backward()
print(x.grad)
