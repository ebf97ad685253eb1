# category: breaks-backward
# static-reaches: inplace-fixer check now follows this (whole-program analysis)
import torch


def make_accumulator(total):
    def add(v):
        total.add_(v)  # <- blame:closure_accumulator

    return add


x = torch.randn(3, requires_grad=True)
total = torch.sigmoid(x)
accumulate = make_accumulator(total)
accumulate(torch.ones(3))
total.sum().backward()
