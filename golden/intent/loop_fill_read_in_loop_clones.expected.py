import torch
import torch.nn as nn

# Raises: Linear saves its input `outputs[t - 1]`, a view of `outputs`, and the next write changes
# `outputs`. The loop reads the buffer, so the fix stays clone-then-write.
cell = nn.Linear(4, 4)
x = torch.randn(5, 2, 4)
outputs = torch.zeros(5, 2, 4)
for t in range(5):
    previous = outputs[t - 1] if t > 0 else torch.zeros(2, 4)
    h = torch.tanh(x[t] + cell(previous))
    outputs = outputs.clone()
    outputs[t] = h
outputs.sum().backward()
