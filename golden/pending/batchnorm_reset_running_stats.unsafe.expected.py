import torch
import torch.nn as nn

# torch 2.13: raises: BatchNorm in training saves its running stats for backward.
torch.manual_seed(0)
bn = nn.BatchNorm1d(3)
x = torch.randn(6, 3, requires_grad=True)
out = bn(x)
out.sum().backward()
bn.reset_running_stats()
