import torch
class Offset:
    def __call__(self, t):
        t = t - 0.5               # expect IPF002: t is exp output
        return t
off = Offset()
x = torch.rand(3, requires_grad=True)
y = off(torch.exp(x))
y.sum().backward()
