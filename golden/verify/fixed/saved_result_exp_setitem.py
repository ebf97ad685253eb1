# expected-verdict: fixed
# exp saves its output; item assignment overwrites it (IPF006).
import torch

x = torch.randn(4, requires_grad=True)
y = torch.exp(x)
y[0] = 0.0
loss = (y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum()
loss.backward()
print(x.grad)
