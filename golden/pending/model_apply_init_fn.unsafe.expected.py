import torch
import torch.nn as nn

# torch 2.13: raises: model.apply(init_fn) re-initialises every Linear's weight in place after
# the forward saved them, before the backward.
torch.manual_seed(0)


def init_fn(module):
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        nn.init.zeros_(module.bias)


model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
loss = model(torch.randn(4, 3)).sum()
loss.backward()
model.apply(init_fn)
