# expected-verdict: equivalent
# add saves nothing, so `+=` on its output is safe.
import torch

x = torch.randn(3, requires_grad=True)
w = torch.randn(3, requires_grad=True)
h = x + 1
h = h + 2
loss = (h * w).sum()
loss.backward()
print(x.grad, w.grad)
