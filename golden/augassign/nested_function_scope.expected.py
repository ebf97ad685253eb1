import torch
from torch import nn


def train_step(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    logits = model(batch)
    logits = logits / 2.0  # temperature
    loss = logits.logsumexp(dim=-1).mean()
    loss.backward()
    return loss


train_step(nn.Linear(3, 5), torch.randn(2, 3))
