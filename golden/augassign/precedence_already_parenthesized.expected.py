import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
a, b = 2.0, 3.0
y = x * x
y = y * (a + b)
y.sum().backward()
print(x.grad)
