# No finding: the only call passes tensors that do not require grad (integer or bool ones),
# so forward()'s in-place change is outside any gradient path.
import torch
from torch import nn


class MaskedMean(nn.Module):
    def forward(self, x, mask):
        # The caller's mask is changed too: in-place on an argument.
        mask &= x > 0
        return (x * mask).sum() / mask.sum().clamp(min=1)


layer = MaskedMean()
x = torch.randn(4, requires_grad=True)
mask = torch.tensor([True, True, False, True])
layer(x, mask).backward()
print(mask)
