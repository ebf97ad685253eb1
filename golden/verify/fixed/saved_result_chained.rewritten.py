# expected-verdict: fixed
# `z = y.add_(1).mul_(2)` modifies the saved sigmoid output and aliases it.
import torch

x = torch.randn(4, requires_grad=True)
y = x.sigmoid()
y = y.add(1).mul(2)
z = y
loss = (z * y).sum()
loss.backward()
print(x.grad)
