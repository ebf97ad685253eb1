# expected-verdict: fixed
# sqrt saves its output; clamp_ overwrites it.
import torch

x = (torch.rand(5) + 0.5).requires_grad_()
y = x.sqrt()
y.clamp_(max=1.1)
loss = (y * torch.arange(5.0)).sum()
loss.backward()
print(x.grad)
