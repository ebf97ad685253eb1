import torch
import torch.nn as nn

# A float64 buffer filled with float32 rows: a write casts, torch.stack would not: unsafe.
cell = nn.RNNCell(3, 4)
x = torch.randn(5, 2, 3)
outputs = []
h = torch.zeros(2, 4)
for t in range(5):
    h = cell(x[t], h)
    outputs.append(h)
outputs = torch.stack(outputs)
outputs.sum().backward()
