# expected-verdict: fixed
# clamp_ on an output of chunk.
import torch

x = torch.randn(6, requires_grad=True)
h = x * 1.0
c0, c1 = h.chunk(2)
c0 = c0.clamp(min=0.1)
loss = (c0 + c1).pow(2).sum()
loss.backward()
print(x.grad)
