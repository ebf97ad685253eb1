# expected-verdict: fixed
# `a * w` saves `a` because `w` requires grad; add_ then modifies `a`.
import torch

x = torch.randn(3, requires_grad=True)
w = torch.randn(3, requires_grad=True)
a = x * 1.5
b = a * w
a.add_(1)
loss = b.sum() + (a * a).sum()
loss.backward()
print(x.grad, w.grad)
