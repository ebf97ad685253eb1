# category: breaks-backward
import torch
from torch import nn

bn = nn.BatchNorm1d(3)
x = torch.randn(4, 3, requires_grad=True)
y = bn(x)
bn.reset_running_stats()  # <- blame:batchnorm_reset
y.sum().backward()
