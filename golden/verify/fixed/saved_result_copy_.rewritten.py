# expected-verdict: fixed
# sigmoid saves its output; copy_ replaces it with another tensor.
import torch

x = torch.randn(3, requires_grad=True)
z = torch.randn(3, requires_grad=True)
y = x.sigmoid()
y = z.to(y.dtype).expand_as(y).clone()
loss = (y * x).sum()
loss.backward()
print(x.grad, z.grad)
