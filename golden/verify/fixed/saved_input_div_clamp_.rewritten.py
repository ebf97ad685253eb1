# expected-verdict: fixed
# division saves its divisor; clamp_ modifies the divisor.
import torch

x = torch.randn(4, requires_grad=True)
scale = torch.rand(4, requires_grad=True)
d = scale * 2 + 1
q = x / d
d = d.clamp(min=1.5)
loss = q.sum() + d.sum()
loss.backward()
print(x.grad, scale.grad)
