# category: breaks-backward
import functools

import torch


def clamped(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        out = fn(*args)
        out.clamp_(max=0.9)  # <- blame:decorator_postprocess
        return out

    return wrapper


@clamped
def gate(x):
    return torch.sigmoid(x)


x = torch.randn(4, requires_grad=True)
gate(x).sum().backward()
