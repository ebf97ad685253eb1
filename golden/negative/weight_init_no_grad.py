import torch
from torch import nn

layer = nn.Linear(4, 4)
with torch.no_grad():
    layer.weight.normal_(0.0, 0.02)
    layer.bias.zero_()
    layer.weight[0] = 0.0
