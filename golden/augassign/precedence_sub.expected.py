import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
lo, hi = 0.25, 1.5
y = y - (hi - lo)
y.sum().backward()
print(x.grad)
