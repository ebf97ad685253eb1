# expected-verdict: fixed
# exp saves its output; `+=` overwrites it (IPF001).
import torch

x = torch.randn(5, requires_grad=True)
y = x.exp()
y = y + 1
loss = (y * y).sum()
loss.backward()
print(x.grad)
