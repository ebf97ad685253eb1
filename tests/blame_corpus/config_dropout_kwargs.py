# category: breaks-backward
import torch
from torch import nn

dropout_settings = {"p": 0.5, "inplace": True}
layers = [nn.Linear(4, 4), nn.Sigmoid()]
layers.append(nn.Dropout(**dropout_settings))  # <- blame:config_dropout_kwargs
model = nn.Sequential(*layers)
model.train()
model(torch.randn(3, 4)).sum().backward()
