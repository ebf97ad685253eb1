# expected-verdict: fixed
# exp saves its output; masked_fill_ overwrites it.
import torch

x = torch.randn(5, requires_grad=True)
y = x.exp()
y = y.masked_fill(y > 1.5, 1.5)
loss = (y * y).sum()
loss.backward()
print(x.grad)
