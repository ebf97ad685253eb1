# expected-verdict: equivalent
# multiplying by a Python scalar saves nothing, so item assignment afterwards is safe.
import torch

x = torch.randn(3, requires_grad=True)
h = x * 2.0
h[0] = 0.0
loss = (h ** 2).sum()
loss.backward()
print(x.grad)
