import torch
import torch.nn as nn

# torch 2.13: runs: the model is re-initialised only after the backward, and nn.init on a bias
# that no op saved (a Linear's bias) breaks nothing either.
torch.manual_seed(0)


def init_fn(module):
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)


model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
loss = model(torch.randn(4, 3)).sum()
nn.init.zeros_(model[2].bias)
loss.backward()
model.apply(init_fn)
