import torch
from torch import nn


class HashIds(nn.Module):
    def forward(self, ids, salt):
        ids = ids ^ salt
        return ids % 1000


ids = torch.tensor([17, 42, 99])
print(HashIds()(ids, torch.tensor(5)))
