import torch
from torch import nn
from torch.nn import init

layer = nn.Linear(4, 4)
nn.init.xavier_uniform_(layer.weight)
nn.init.zeros_(layer.bias)
init.normal_(layer.weight, std=0.02)
torch.nn.init.constant_(layer.bias, 0.1)
