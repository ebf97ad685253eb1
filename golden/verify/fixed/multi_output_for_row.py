# expected-verdict: fixed
# `for row in h: row.mul_(2)` (iteration unbinds into views).
import torch

x = torch.randn(3, 2, requires_grad=True)
h = x * 1.0
for row in h:
    row.mul_(2)
loss = (h ** 2).sum()
loss.backward()
print(x.grad)
