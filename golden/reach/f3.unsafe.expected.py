import torch
p = torch.randn(3, 2, requires_grad=True) * 2
q = torch.randn(3, 2)
for a, b in zip(p, q):
    a = a - b                     # expect IPF002: row of p (unbind view)
