# expected-verdict: fixed
# A hand-written SGD step on a leaf: `s -= lr * s.grad` raises the leaf error; the fix runs the
# step under no_grad, so `s` stays the leaf whose `.grad` the next line zeroes.
import torch

s = torch.randn(3, requires_grad=True)
lr = 0.1
for step in range(3):
    loss = (s * s).sum()
    loss.backward()
    s -= lr * s.grad
    s.grad.zero_()
loss = (s * s).sum()
loss.backward()
