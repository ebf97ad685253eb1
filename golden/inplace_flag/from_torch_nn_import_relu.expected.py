import torch
from torch.nn import Linear, ReLU, Sequential

model = Sequential(Linear(3, 3), ReLU(), Linear(3, 1))
model(torch.randn(2, 3)).sum().backward()
