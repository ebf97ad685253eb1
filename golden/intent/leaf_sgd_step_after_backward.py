import torch

# Raises: `s -= ...` changes a leaf that requires grad. The intent is an SGD step on `s`, so the
# fix is `with torch.no_grad():` around it; rebinding `s` would leave `s.grad` None and make the
# next line raise AttributeError.
s = torch.randn(3, requires_grad=True)
lr = 0.1
for step in range(3):
    loss = (s * s).sum()
    loss.backward()
    s -= lr * s.grad
    s.grad.zero_()
print(s)
