import torch
from torch import nn


class HashIds(nn.Module):
    def forward(self, ids, salt):
        ids = ids ^ salt
        return ids % 1000
