import torch
import torch.nn as nn
seq = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
with torch.no_grad():
    seq[0].bias += 1.0                # expect IPF001: leaf Parameter
