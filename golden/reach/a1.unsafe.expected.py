import torch
def shift(buf, amount):
    buf = buf + amount              # expect IPF002: buf is exp()'s saved output
w = torch.randn(5, requires_grad=True)
act = torch.exp(w)
shift(act, 1.0)
act.sum().backward()
