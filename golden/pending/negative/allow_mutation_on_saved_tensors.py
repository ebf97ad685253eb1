import torch
import torch.nn as nn

# torch 2.13: runs: torch clones a saved tensor before it is changed inside this context.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
with torch.autograd.graph.allow_mutation_on_saved_tensors():
    loss = model(torch.randn(2, 3)).sum()
    opt.step()
    loss.backward()
