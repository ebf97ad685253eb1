# expected-verdict: fixed
# add_ on a leaf that requires grad.
import torch

w = torch.randn(3, requires_grad=True)
w = w.add(0.5)
loss = (w * w).sum()
loss.backward()
print(loss)
