# category: breaks-backward
import torch
from torch import nn

CONFIG = {"activation": "ReLU", "activation_args": {"inplace": True}}


def build(config):
    act = getattr(nn, config["activation"])(**config["activation_args"])  # <- blame:config_module_inplace
    return nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), act)


model = build(CONFIG)
model(torch.randn(2, 4)).sum().backward()
