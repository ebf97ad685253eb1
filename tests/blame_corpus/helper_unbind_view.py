# category: breaks-backward
import torch
from blame_helpers.ops import zero_first

x = torch.randn(2, 3, requires_grad=True)
h = x * 2
first, second = h.unbind(0)
zero_first(first)
