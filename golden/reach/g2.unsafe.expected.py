import torch
x = torch.randn(3, requires_grad=True)
h = torch.sigmoid(x)
t = torch.jit._unwrap_optional(h)
t = t * 2                         # expect IPF002: t is h, saved by sigmoid
h.sum().backward()
