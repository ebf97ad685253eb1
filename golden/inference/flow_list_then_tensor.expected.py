import torch

x = torch.randn(3, requires_grad=True)
h = [1.0, 2.0]
h += [3.0]
h = torch.tensor(h) * x
h = h * 2
h.sum().backward()
