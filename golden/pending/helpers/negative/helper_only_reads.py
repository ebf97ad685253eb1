import torch
import torch.nn as nn

# torch 2.13: runs: weight_norms() only reads the critic's weights between its forward and
# backward; nothing is changed in place.
torch.manual_seed(0)


def weight_norms(model):
    with torch.no_grad():
        return [p.norm().item() for p in model.parameters()]


class Logger:
    def __init__(self, model):
        self.model = model
        self.history = []

    def record(self):
        total = sum(p.detach().abs().sum().item() for p in self.model.parameters())
        self.history.append(total)


critic = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
logger = Logger(critic)
loss = -critic(torch.randn(4, 3)).mean()
norms = weight_norms(critic)
logger.record()
loss.backward()
