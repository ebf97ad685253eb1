# No finding: `mask` is a forward() argument named as data (a mask), which never requires grad.
import torch
from torch import nn


class MaskedMean(nn.Module):
    def forward(self, x, mask):
        # The caller's mask is changed too: in-place on an argument.
        mask &= x > 0
        return (x * mask).sum() / mask.sum().clamp(min=1)
