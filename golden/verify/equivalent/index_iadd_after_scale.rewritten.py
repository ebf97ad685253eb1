# expected-verdict: equivalent
# `h[idx] += 1` on an output nothing saved.
import torch

x = torch.randn(4, requires_grad=True)
h = x * 3.0
h = h.index_put((torch.tensor([1, 2]),), h[[1, 2]] + 1.0)
loss = h.pow(2).sum()
loss.backward()
print(x.grad)
