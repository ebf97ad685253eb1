import torch
import torch.nn as nn


# torch 2.13: raises: the GAN shape inside a trainer method.
class Trainer:
    def __init__(self):
        self.G = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
        self.D = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
        self.g_opt = torch.optim.SGD(self.G.parameters(), lr=0.01)
        self.d_opt = torch.optim.SGD(self.D.parameters(), lr=0.01)

    def train_step(self, real):
        fake = self.G(torch.randn(3, 2))
        d_loss = self.D(real).mean() - self.D(fake.detach()).mean()
        g_loss = -self.D(fake).mean()
        d_loss.backward()
        self.d_opt.step()
        g_loss.backward()
        self.g_opt.step()


Trainer().train_step(torch.randn(3, 2))
