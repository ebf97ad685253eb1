import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
a = torch.tensor([0.5, 0.5])
b = torch.tensor([1.0, 3.0])
y = x.exp()
y = y * (a + b)
y.sum().backward()
print(x.grad)
