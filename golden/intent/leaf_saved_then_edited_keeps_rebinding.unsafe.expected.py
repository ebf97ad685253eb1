import torch

# Raises: `w` is a leaf, and sin saved it; under no_grad the write would still break backward,
# so the fix is not the no_grad one.
w = torch.randn(3, requires_grad=True)
y = w.sin()
w = w * 2
(y.sum() + w.sum()).backward()
