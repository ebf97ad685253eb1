import torch

x = torch.randn(5, requires_grad=True)
h = x + 0
idx = torch.tensor([0, 2])
v = torch.tensor([1.0, 2.0])
h = h.index_put((idx,), h[idx] - v)
h.sum().backward()
print(x.grad)
