# No finding: the only call passes tensors that do not require grad (integer or bool ones),
# so forward()'s in-place change is outside any gradient path.
import torch
from torch import nn


class PackBits(nn.Module):
    def forward(self, codes):
        codes <<= 2
        return codes


print(PackBits()(torch.tensor([1, 2, 3])))
