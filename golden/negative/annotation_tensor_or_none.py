# Not a finding by design: a Tensor-annotated argument of an ordinary function is a tensor,
# but not known to require grad (only forward() arguments are; see the IPF rules' docs).
import torch
from torch import nn


def apply_mask(scores: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is not None:
        scores.masked_fill_(~mask, float("-inf"))
    return scores


lin = nn.Linear(3, 3)
print(apply_mask(lin(torch.randn(2, 3)), torch.ones(2, 3, dtype=torch.bool)))
