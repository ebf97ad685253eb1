import torch

x = torch.randn(5, requires_grad=True)
h = x * 3
big = h.abs() > 1
h = h.index_put((big,), h[big] / 2)
h.sum().backward()
print(x.grad)
