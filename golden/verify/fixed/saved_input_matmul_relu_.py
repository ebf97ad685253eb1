# expected-verdict: fixed
# `h @ w2` saves `h` because `w2` requires grad; relu_ then modifies `h`.
import torch

x = torch.randn(2, 3)
w1 = torch.randn(3, 4, requires_grad=True)
w2 = torch.randn(4, 1, requires_grad=True)
h = x @ w1
out = h @ w2
h.relu_()
loss = out.sum() + h.sum()
loss.backward()
print(w1.grad, w2.grad)
