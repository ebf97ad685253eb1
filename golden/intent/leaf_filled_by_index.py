import torch

# Raises: `w[1] = 0.0` writes into a leaf that requires grad.
w = torch.ones(4, requires_grad=True)
w[1] = 0.0
loss = (w * w).sum()
loss.backward()
print(w.grad)
