# category: breaks-backward
import torch
from torch import nn


def double_output(module, inputs, output):
    output.mul_(2.0)  # <- blame:forward_hook


model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())
model[1].register_forward_hook(double_output)
model(torch.randn(2, 3)).sum().backward()
