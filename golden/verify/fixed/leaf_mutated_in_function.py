# expected-verdict: fixed
# a helper centres its argument in place; the caller passes a leaf.
import torch


def centre(t):
    t.sub_(t.mean())
    return t


x = torch.randn(6, requires_grad=True)
y = centre(x)
loss = (y ** 2).sum()
loss.backward()
print(loss)
