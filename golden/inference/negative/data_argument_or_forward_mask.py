# No finding: `mask` is a forward() argument named as data (a mask), which never requires grad.
import torch
from torch import nn


class PadMask(nn.Module):
    def forward(self, tokens, pad_mask):
        pad_mask |= tokens == 0
        return pad_mask
