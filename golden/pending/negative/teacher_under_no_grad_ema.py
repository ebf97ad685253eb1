import torch
import torch.nn as nn

# torch 2.13: runs: the teacher runs under no_grad, so its EMA update breaks nothing.
torch.manual_seed(0)
student = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
teacher = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
x = torch.randn(5, 4)
with torch.no_grad():
    target = teacher(x)
loss = (student(x) - target).pow(2).mean()
with torch.no_grad():
    for t, s in zip(teacher.parameters(), student.parameters()):
        t.mul_(0.99).add_(s, alpha=0.01)
loss.backward()
