# expected-verdict: fixed
# `a[0] = a[1].sin()`: sin saves `a[1]`, a view of `a`, and the write changes `a`. Clone-then-
# write would still fail (the right-hand side reads the clone); computing the value first works.
import torch

x = torch.randn(4, requires_grad=True)
a = x * 2
a[0] = a[1].sin()
loss = a.sum()
loss.backward()
print(x.grad)
