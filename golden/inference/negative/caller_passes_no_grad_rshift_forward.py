# No finding: the only call passes tensors that do not require grad (integer or bool ones),
# so forward()'s in-place change is outside any gradient path.
import torch
from torch import nn


class Quantize(nn.Module):
    def forward(self, codes):
        codes >>= 1
        return codes


print(Quantize()(torch.tensor([8, 16, 32])))
