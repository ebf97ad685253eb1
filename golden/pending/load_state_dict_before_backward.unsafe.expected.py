import torch
import torch.nn as nn

# torch 2.13: raises: load_state_dict copies into the saved weights in place.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
snapshot = {k: v.clone() for k, v in model.state_dict().items()}
loss = model(torch.randn(2, 3)).sum()
loss.backward()
model.load_state_dict(snapshot)
