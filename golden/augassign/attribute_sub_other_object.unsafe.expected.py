import torch
from torch import nn


class State:
    pass


lin = nn.Linear(2, 2)
state = State()
state.hidden = lin(torch.randn(1, 2))
state.hidden = state.hidden - 1.0
state.hidden.sum().backward()
