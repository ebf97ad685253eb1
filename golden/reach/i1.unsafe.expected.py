import torch
w = torch.ones(4)
w.requires_grad = True
with torch.no_grad():
    w[:2] = 0.0                       # expect IPF006: leaf that requires grad
