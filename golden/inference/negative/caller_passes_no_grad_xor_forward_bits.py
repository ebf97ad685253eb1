# No finding: the only call passes tensors that do not require grad (integer or bool ones),
# so forward()'s in-place change is outside any gradient path.
import torch
from torch import nn


class HashIds(nn.Module):
    def forward(self, ids, salt):
        ids ^= salt
        return ids % 1000


ids = torch.tensor([17, 42, 99])
print(HashIds()(ids, torch.tensor(5)))
