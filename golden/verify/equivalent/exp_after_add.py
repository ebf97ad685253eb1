# expected-verdict: equivalent
# exp_ on the output of an addition (an in-place op never breaks its own backward).
import torch

x = torch.randn(3, requires_grad=True)
w = torch.randn(3, requires_grad=True)
h = x + w
h.exp_()
loss = h.sum()
loss.backward()
print(x.grad, w.grad)
