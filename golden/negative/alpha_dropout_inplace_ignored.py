import torch
from torch import nn

# AlphaDropout and FeatureAlphaDropout accept inplace= but their forward() never passes it on.
model = nn.Sequential(
    nn.Linear(4, 4),
    nn.SELU(),
    nn.AlphaDropout(p=0.1, inplace=True),
)
feature_drop = nn.FeatureAlphaDropout(0.1, True)
feature_drop(model(torch.randn(2, 4)).unsqueeze(-1)).sum().backward()
