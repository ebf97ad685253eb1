# category: breaks-backward
# static-reaches: inplace-fixer check now follows this (whole-program analysis)
import torch


def first_half(t):
    return t[: t.shape[0] // 2]


x = torch.randn(4, requires_grad=True)
h = torch.exp(x)
part = first_half(h)
part.mul_(0.5)  # <- blame:view_of_saved_base
h.sum().backward()
