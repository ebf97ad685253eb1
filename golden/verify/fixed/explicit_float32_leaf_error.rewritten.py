# expected-verdict: fixed
# explicit float32 leaf next to default-dtype tensors, changed in place: the leaf error comes at the line itself, so finite differences check the rewrite, in the program's own dtypes.
import torch

x = torch.randn(3, dtype=torch.float32, requires_grad=True)
weight = torch.randn(3, 3)
x = x * 2
h = torch.tanh(weight @ x)
loss = (h * h).sum()
loss.backward()
print(x.grad)
