import torch
from torch import nn

model = nn.Linear(3, 1)
batches = [torch.randn(4, 3) for _ in range(3)]
total = 0.0
for batch in batches:
    # After the first iteration `total` is a tensor that requires grad.
    total = total + model(batch).pow(2).mean()
total.backward()
