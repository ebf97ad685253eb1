import torch
ident = lambda t: t
x = torch.randn(3, requires_grad=True)
y = ident(torch.exp(x))
y = y + 1                         # expect IPF002: exp saved y
y.sum().backward()
