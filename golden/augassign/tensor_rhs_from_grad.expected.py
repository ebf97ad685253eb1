import torch

w = torch.randn(3, requires_grad=True)
x = torch.randn(3)
h = x * w
h = h + w.sigmoid()
h.sum().backward()
print(w.grad)
