import torch

x = torch.tensor([0.0, 2.0], requires_grad=True)
h = x + 1
h.logical_xor_(torch.tensor([True, True]))
h.sum().backward()
