# expected-verdict: fixed
# torch.mul(h, 2, out=h) on the output of sigmoid.
import torch

x = torch.randn(4, requires_grad=True)
h = torch.sigmoid(x)
torch.mul(h, 2, out=h)
loss = (h * h).sum()
loss.backward()
print(x.grad)
