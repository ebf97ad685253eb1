# A finding: the helper is followed from its call, which passes `lin`'s output (it requires grad).
import torch
from torch import nn


def apply_mask(scores: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is not None:
        scores.masked_fill_(~mask, float("-inf"))
    return scores


lin = nn.Linear(3, 3)
print(apply_mask(lin(torch.randn(2, 3)), torch.ones(2, 3, dtype=torch.bool)))
