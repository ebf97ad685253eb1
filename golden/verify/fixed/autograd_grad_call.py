# expected-verdict: fixed
# torch.autograd.grad instead of backward(); exp's output modified in place.
import torch

x = torch.randn(3, requires_grad=True)
y = x.exp()
y.add_(1)
(grad_x,) = torch.autograd.grad((y * y).sum(), x)
print(grad_x)
