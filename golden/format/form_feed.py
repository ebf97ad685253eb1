import torch


def step(x):
    h = torch.sigmoid(x)
    return h


x = torch.randn(3, requires_grad=True)
y = torch.tanh(x)
y *= 2  # form feeds above are kept
y.sum().backward()
