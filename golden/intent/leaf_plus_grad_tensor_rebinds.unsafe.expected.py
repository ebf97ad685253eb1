import torch

# Raises: a leaf changed in place. What is written requires grad, so the edit is part of the
# computation, not a deliberate edit: the fix rebinds (no_grad would drop that gradient).
x = torch.randn(3, requires_grad=True)
acc = torch.zeros(3, requires_grad=True)
acc = acc + x * 2
acc.sum().backward()
