import torch
import torch.nn as nn

# torch 2.13: raises: the teacher's forward ran with grad on and saved its weights;
# self.update_teacher() changes them (line 18) before the backward.
torch.manual_seed(0)


class DistillTrainer:
    def __init__(self):
        self.student = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        self.teacher = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        self.opt = torch.optim.SGD(self.student.parameters(), lr=0.1)

    def update_teacher(self, decay=0.99):
        with torch.no_grad():
            for t, s in zip(self.teacher.parameters(), self.student.parameters()):
                t.mul_(decay).add_(s, alpha=1 - decay)

    def train_step(self, x):
        loss = (self.student(x) - self.teacher(x)).pow(2).mean()
        self.update_teacher()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()


DistillTrainer().train_step(torch.randn(5, 4))
