# expected-verdict: fixed
# `/=` on a leaf that requires grad.
import torch

x = torch.randn(2, 2, requires_grad=True)
x = x / 2
loss = x.exp().sum()
loss.backward()
print(loss)
