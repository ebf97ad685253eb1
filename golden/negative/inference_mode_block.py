import torch
from torch import nn

model = nn.Linear(3, 3)
with torch.inference_mode():
    out = model(torch.randn(2, 3))
    out.mul_(2)
    out[0] = 0.0
    out.relu_()
print(out)
