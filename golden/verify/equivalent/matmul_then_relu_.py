# expected-verdict: equivalent
# mm saves its inputs, not its output, so relu_ on the output is safe.
import torch

x = torch.randn(4, 3)
w = torch.randn(3, 5, requires_grad=True)
v = torch.randn(5, 2, requires_grad=True)
h = x @ w
h.relu_()
loss = (h @ v).sum()
loss.backward()
print(w.grad, v.grad)
