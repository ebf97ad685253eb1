import torch

# Raises: `w[0] *= 1.0001` writes into a leaf that requires grad, right after it is made.
w = torch.randn(4, requires_grad=True)
with torch.no_grad():
    w[0] *= 1.0001
loss = w.sin().sum()
loss.backward()
print(w.grad)
