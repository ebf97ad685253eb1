import torch
def pick(primary, fallback=None):
    return fallback if fallback is not None else primary
p = torch.nn.Parameter(torch.ones(3))
t = pick(p)
with torch.no_grad():
    t.mul_(2)                         # expect IPF002: t is the Parameter p (leaf)
