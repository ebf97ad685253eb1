import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
h = h * (
    x.sigmoid()  # gate
    + 0.5
)
h.sum().backward()
