# expected-verdict: both-fail
# The naive fix of `a[0] = a[1].sin()`: clone, then write. The right-hand side is evaluated after
# the clone, so sin saves a view of the clone that the write then changes: still raises.
import torch

x = torch.randn(4, requires_grad=True)
a = x * 2
a = a.clone()
a[0] = a[1].sin()
loss = a.sum()
loss.backward()
print(x.grad)
