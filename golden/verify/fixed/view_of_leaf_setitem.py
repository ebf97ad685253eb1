# expected-verdict: fixed
# item assignment into a leaf that requires grad.
import torch

x = torch.randn(3, requires_grad=True)
x[0] = 0.0
loss = (x * torch.tensor([1.0, 2.0, 3.0])).exp().sum()
loss.backward()
print(loss)
