# expected-verdict: fixed
# reciprocal saves its output; `**=` overwrites it.
import torch

x = (torch.rand(4) + 1.0).requires_grad_()
r = x.reciprocal()
r **= 2
loss = r.sum()
loss.backward()
print(x.grad)
