import torch

x = torch.randn(4, requires_grad=True)
h = x * 2
h = h.select_scatter(h[0] + 1.0, 0, 0)
h.sum().backward()
print(x.grad)
