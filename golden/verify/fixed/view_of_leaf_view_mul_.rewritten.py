# expected-verdict: fixed
# mul_ through a reshaped view of a leaf.
import torch

x = torch.randn(2, 3, requires_grad=True)
x = x.view(6).mul(2).view_as(x)
loss = x.sin().sum()
loss.backward()
print(loss)
