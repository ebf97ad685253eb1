import torch
import torch.nn as nn

# torch 2.13: raises: ema.update_teacher() changes ema.teacher in place (line 18), which is the
# `teacher` whose forward saved its weights for loss, before loss.backward().
torch.manual_seed(0)


class EMA:
    def __init__(self, student, teacher, decay=0.99):
        self.student = student
        self.teacher = teacher
        self.decay = decay

    def update_teacher(self):
        with torch.no_grad():
            for t, s in zip(self.teacher.parameters(), self.student.parameters()):
                t.mul_(self.decay).add_(s, alpha=1 - self.decay)


student = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
teacher = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
ema = EMA(student, teacher)
x = torch.randn(5, 4)
loss = (student(x) - teacher(x)).pow(2).mean()
ema.update_teacher()
loss.backward()
