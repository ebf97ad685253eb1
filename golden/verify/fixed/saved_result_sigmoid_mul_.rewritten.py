# expected-verdict: fixed
# sigmoid saves its output for backward; mul_ overwrites it (IPF002).
import torch

x = torch.randn(4, requires_grad=True)
y = torch.sigmoid(x)
y = y.mul(2)
loss = y.sum()
loss.backward()
print(x.grad)
