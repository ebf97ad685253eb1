# category: breaks-backward
import torch
from blame_helpers import ops

x = torch.randn(6, requires_grad=True)
y = ops.centre_(x)
