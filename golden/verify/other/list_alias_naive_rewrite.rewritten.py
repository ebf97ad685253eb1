# expected-verdict: different
# rebinding the loop variable does not change the list's tensors (pitfall A5).
import torch

a = torch.randn(3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
xs = [a * 1, b * 1]
for t in xs:
    t = t.mul(2)
loss = sum(t.sum() for t in xs)
loss.backward()
print(a.grad, b.grad)
