import torch
import torch.nn as nn
net = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))
for m in net.modules():
    if isinstance(m, nn.Linear):
        with torch.no_grad():
            m.weight[0] *= 0.5        # expect IPF001: view of a leaf Parameter
