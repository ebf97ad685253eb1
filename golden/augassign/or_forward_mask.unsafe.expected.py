import torch
from torch import nn


class PadMask(nn.Module):
    def forward(self, tokens, pad_mask):
        pad_mask = pad_mask | (tokens == 0)
        return pad_mask
