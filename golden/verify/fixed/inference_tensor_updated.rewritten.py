# expected-verdict: fixed
# a tensor made under inference_mode is updated in place outside it.
import torch

with torch.inference_mode():
    scale = torch.full((3,), 2.0)
scale = scale.mul(0.5)
w = torch.randn(3, requires_grad=True)
loss = (w * scale).exp().sum()
loss.backward()
print(w.grad)
