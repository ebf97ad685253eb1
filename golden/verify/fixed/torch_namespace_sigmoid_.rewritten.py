# expected-verdict: fixed
# torch.sigmoid_ on the output of exp.
import torch

x = torch.randn(4, requires_grad=True)
h = x.exp()
h = torch.sigmoid(h)
loss = h.sum()
loss.backward()
print(x.grad)
