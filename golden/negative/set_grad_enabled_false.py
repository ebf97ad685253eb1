import torch
from torch import nn

model = nn.Linear(3, 3)
with torch.set_grad_enabled(False):
    h = model(torch.randn(2, 3))
    h += 1
    h.clamp_(min=0)
print(h)
