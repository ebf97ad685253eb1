# expected-verdict: rewritten-fails
# rebinding under inference_mode makes an inference tensor autograd cannot save (pitfall D1).
import torch

p = torch.randn(3, requires_grad=True)
b = torch.ones(3)
with torch.inference_mode():
    b.mul_(2)
loss = (p * b).sum()
loss.backward()
print(p.grad)
