# expected-verdict: fixed
# exp saves its output; masked assignment overwrites it.
import torch

x = torch.randn(6, requires_grad=True)
y = x.exp()
y = torch.where(y > 2.0, 2.0, y)
loss = y.sum()
loss.backward()
print(x.grad)
