# category: breaks-backward
import torch
from blame_helpers.ops import scale_

x = torch.randn(4, requires_grad=True)
h = torch.sigmoid(x)
scale_(h, 2.0)
h.sum().backward()
