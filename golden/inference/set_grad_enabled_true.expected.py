import torch

x = torch.randn(3, requires_grad=True)
is_train = True
with torch.set_grad_enabled(is_train):
    h = x.exp()
    h = h - 1
h.sum().backward()
