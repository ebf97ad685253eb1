import torch
from torch import nn
import torch.nn.functional as F

act = nn.ReLU(inplace=False)
drop = nn.Dropout(0.1, False)
x = torch.randn(3, requires_grad=True)
y = F.relu(drop(act(x)), inplace=False)
y.sum().backward()
