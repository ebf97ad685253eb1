# expected-verdict: fixed
# add_ on a slice of a leaf that requires grad.
import torch

x = torch.randn(4, requires_grad=True)
x = torch.slice_scatter(x, x[0:2].add(1.0), 0, 0, 2)
loss = (x ** 2).sum()
loss.backward()
print(loss)
