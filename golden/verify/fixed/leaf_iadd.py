# expected-verdict: fixed
# `+=` on a leaf bias that requires grad.
import torch

x = torch.randn(5, 3)
weight = torch.randn(3, 2, requires_grad=True)
bias = torch.zeros(2, requires_grad=True)
bias += 1.0
out = torch.tanh(x @ weight + bias)
loss = out.sum()
loss.backward()
print(weight.grad)
