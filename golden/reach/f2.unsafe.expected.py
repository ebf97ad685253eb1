import torch
h = torch.randn(2, 5, requires_grad=True).tanh()
for i, row in enumerate(h):
    row = row + i                   # expect IPF002: row of h (unbind view)
