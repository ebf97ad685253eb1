import torch

x = torch.randn(5, requires_grad=True)
h = x * 2
idx = torch.tensor([0, 3])
h = h.index_put((idx,), torch.tensor([1.0, 1.0]))
h.sum().backward()
