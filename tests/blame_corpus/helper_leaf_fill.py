# category: breaks-backward
import torch
from torch import nn
from blame_helpers.ops import init_leaf

layer = nn.Linear(3, 3)
init_leaf(layer.weight)
