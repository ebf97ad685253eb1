import torch
from torch import nn

model = nn.Linear(2, 2)


@torch.no_grad
def clip_weights(limit: float) -> None:
    model.weight.clamp_(-limit, limit)
    model.weight *= 1.0


clip_weights(0.5)
