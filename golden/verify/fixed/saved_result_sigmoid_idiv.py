# expected-verdict: fixed
# sigmoid saves its output; `/=` overwrites it.
import torch

x = torch.randn(2, 3, requires_grad=True)
g = x.sigmoid()
g /= 2
loss = (g * x).sum()
loss.backward()
print(x.grad)
