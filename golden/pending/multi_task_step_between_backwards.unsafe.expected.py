import torch
import torch.nn as nn

# torch 2.13: raises: both losses share the encoder; the step after the first backward changes
# the weights the second backward needs.
torch.manual_seed(0)
encoder = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 8))
head_a = nn.Linear(8, 1)
head_b = nn.Linear(8, 3)
opt = torch.optim.SGD(list(encoder.parameters()) + list(head_a.parameters()) + list(head_b.parameters()), lr=0.1)
x = torch.randn(6, 5)
features = encoder(x)
loss_a = head_a(features).pow(2).mean()
loss_b = head_b(features).pow(2).mean()
loss_a.backward(retain_graph=True)
loss_b.backward()
opt.step()
