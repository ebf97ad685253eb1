# category: breaks-backward
import torch
from blame_helpers.ops import bump_

x = torch.randn(3, requires_grad=True)
y = x.exp()
(g1,) = torch.autograd.grad(y.sum(), x, retain_graph=True)
bump_(y)
(g2,) = torch.autograd.grad(y.sum(), x)
