# expected-verdict: fixed
# `w[0] *= 1.0001` right after the leaf is made raises ("a view of a leaf Variable"); under
# no_grad it nudges the leaf's value and `w` stays the leaf that gets the gradient.
import torch

w = torch.randn(4, requires_grad=True)
w[0] *= 1.0001
loss = w.sin().sum()
loss.backward()
print(w.grad)
