# category: breaks-backward
# static-reaches: IPF009 sees the change between the forward and its backward
import torch
from torch import nn

model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
loss = model(torch.randn(5, 3)).pow(2).mean()
with torch.no_grad():
    for p in model.parameters():
        p.sub_(0.01)  # <- blame:manual_sgd_before_backward
loss.backward()
