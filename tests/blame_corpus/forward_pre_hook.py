# category: breaks-backward
import torch
from torch import nn


def normalise_input(module, inputs):
    (h,) = inputs
    h.div_(h.norm())  # <- blame:forward_pre_hook


model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
model[2].register_forward_pre_hook(normalise_input)
model(torch.randn(2, 3)).sum().backward()
