import torch
from torch import nn


class Quantize(nn.Module):
    def forward(self, codes):
        codes >>= 1
        return codes
