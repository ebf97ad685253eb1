import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([0.5, 0.25])
y = x.log()
y = y * -w
y.sum().backward()
print(x.grad)
