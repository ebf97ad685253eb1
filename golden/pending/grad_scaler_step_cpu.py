import torch
import torch.nn as nn

# torch 2.13: raises: torch.amp.GradScaler("cpu") is enabled on the CPU; scaler.step(opt)
# unscales the gradients and calls opt.step(), which changes D's weights that b's forward
# saved, before scaler.scale(b).backward().
torch.manual_seed(0)
D = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
opt = torch.optim.SGD(D.parameters(), lr=0.1)
scaler = torch.amp.GradScaler("cpu")
x = torch.randn(2, 3)
a = D(x).sum()
b = D(x * 2).sum()
scaler.scale(a).backward()
scaler.step(opt)
scaler.update()
scaler.scale(b).backward()
