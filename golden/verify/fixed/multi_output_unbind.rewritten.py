# expected-verdict: fixed
# mul_ on an output of unbind, which returns several views.
import torch

x = torch.randn(2, 3, requires_grad=True)
h = x * 2
a, b = h.unbind(0)
a = a.mul(3)
loss = (a * b).sum()
loss.backward()
print(x.grad)
