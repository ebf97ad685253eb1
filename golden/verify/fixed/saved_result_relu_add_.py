# expected-verdict: fixed
# relu saves its output; add_ overwrites it.
import torch

x = torch.randn(6, requires_grad=True)
w = torch.randn(6, requires_grad=True)
y = torch.relu(x)
y.add_(1.0)
loss = (y * w).sum()
loss.backward()
print(x.grad, w.grad)
