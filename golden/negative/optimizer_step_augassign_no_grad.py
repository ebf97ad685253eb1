import torch

w = torch.randn(3, requires_grad=True)
(w * 2).sum().backward()
with torch.no_grad():
    w -= 0.1 * w.grad
    w.clamp_(-1, 1)
w.grad = None
