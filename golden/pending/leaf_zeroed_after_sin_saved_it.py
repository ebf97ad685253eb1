import torch

# torch 2.13: raises: sin saved the leaf, and zero_ under no_grad still bumps its version.
x = torch.randn(3, requires_grad=True)
y = x.sin()
with torch.no_grad():
    x.zero_()
y.sum().backward()
