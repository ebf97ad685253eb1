# expected-verdict: fixed
# acosh_ has no derivative in its in-place form; acosh has one.
import torch

x = torch.randn(4, requires_grad=True)
h = x.abs() + 1.5
h = h.acosh()
loss = h.sum()
loss.backward()
print(x.grad)
