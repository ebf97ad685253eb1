# expected-verdict: fixed
# torch.clamp_ on the output of sigmoid.
import torch

x = torch.randn(6, requires_grad=True)
y = torch.sigmoid(x)
y = torch.clamp(y, min=0.3)
loss = (y * y).sum()
loss.backward()
print(x.grad)
