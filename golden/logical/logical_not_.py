import torch

x = torch.tensor([0.0, 2.0], requires_grad=True)
h = x * 3
h.logical_not_()
h.sum().backward()
