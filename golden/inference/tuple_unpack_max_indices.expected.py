import torch

x = torch.randn(3, 4, requires_grad=True)
values, indices = torch.max(x * 2, dim=1)
# max(dim=) saved `indices` for backward: shifting them in place makes backward() raise.
indices = indices + 1
values.sum().backward()
