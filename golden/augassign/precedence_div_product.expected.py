import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.sin()
scale, count = 2.0, 4
y = y / (scale * count)
y.sum().backward()
print(x.grad)
