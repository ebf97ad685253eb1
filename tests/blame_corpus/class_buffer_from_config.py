# category: breaks-backward
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("gain", torch.ones(3))

    def forward(self, x):
        return x * self.gain


def decay(module, name):
    getattr(module, name).mul_(0.9)  # <- blame:class_buffer_from_config


scale = Scale()
x = torch.randn(3, requires_grad=True)
y = scale(x)
decay(scale, "gain")
y.sum().backward()
