import torch
import torch.nn.functional as F

x = torch.randn(3, requires_grad=True)
h = x * 2
h = F.relu(h, inplace=True)  # noqa: E501, IPF004
h = h.clone()
h[0] = 0.0
h.sum().backward()
