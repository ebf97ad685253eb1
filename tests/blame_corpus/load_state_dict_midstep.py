# category: breaks-backward
# static-reaches: IPF009 sees the change between the forward and its backward
import torch
from torch import nn

model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
snapshot = {k: v.clone() for k, v in model.state_dict().items()}
loss = model(torch.randn(2, 3)).sum()
model.load_state_dict(snapshot)  # <- blame:load_state_dict_midstep
loss.backward()
