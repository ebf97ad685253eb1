import torch
import torch.nn as tnn

lin = tnn.Linear(3, 3)
h = lin(torch.randn(1, 3))
h = h - 1
h.sum().backward()
