import torch
import torch.nn as nn

# torch 2.13: raises: the teacher's forward ran with grad on and saved its weights; the EMA
# update changes them before the backward.
torch.manual_seed(0)
student = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
teacher = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
x = torch.randn(5, 4)
loss = (student(x) - teacher(x)).pow(2).mean()
with torch.no_grad():
    for t, s in zip(teacher.parameters(), student.parameters()):
        t.mul_(0.99).add_(s, alpha=0.01)
loss.backward()
