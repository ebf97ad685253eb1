# expected-verdict: fixed
# add_ on a slice of a leaf that requires grad.
import torch

x = torch.randn(4, requires_grad=True)
x[0:2].add_(1.0)
loss = (x ** 2).sum()
loss.backward()
print(loss)
