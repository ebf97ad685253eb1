# expected-verdict: fixed
# explicit float32 tensors next to default-dtype ones: the finite-difference check falls back to the program's own dtypes.
import torch

x = torch.randn(3, dtype=torch.float32, requires_grad=True)
weight = torch.randn(3, 3)
h = torch.tanh(weight @ x)
h = h.mul(2)
loss = (h * h).sum()
loss.backward()
print(x.grad)
