import torch
import torch.nn as nn
net = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])
with torch.no_grad():
    net[1].weight[0, :] = 0.0         # expect IPF006: view of a leaf Parameter
