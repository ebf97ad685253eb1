# expected-verdict: equivalent
# in-place dropout on a Linear output; same seed gives the same mask.
import torch
import torch.nn.functional as F

x = torch.randn(4, 6)
w = torch.randn(6, 6, requires_grad=True)
h = x @ w
h = F.dropout(h, p=0.25, training=True)
loss = h.tanh().sum()
loss.backward()
print(w.grad.sum())
