# expected-verdict: fixed
# a view taken under no_grad is modified in place with grad mode on.
import torch

x = torch.randn(3, requires_grad=True)
w = torch.randn(2, requires_grad=True)
h = x * 2
with torch.no_grad():
    first = h[0:2]
first = first.mul(3)
loss = (first * w).sum()
loss.backward()
print(w.grad)
