# expected-verdict: fixed
# mul_ through a reshaped view of a leaf.
import torch

x = torch.randn(2, 3, requires_grad=True)
x.view(6).mul_(2)
loss = x.sin().sum()
loss.backward()
print(loss)
