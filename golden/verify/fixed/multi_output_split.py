# expected-verdict: fixed
# add_ on an output of split.
import torch

x = torch.randn(4, requires_grad=True)
h = x.exp()
p, q = h.split(2)
q.add_(1.0)
loss = (p * q).sum()
loss.backward()
print(x.grad)
