# category: breaks-backward
# static-reaches: inplace-fixer check follows __call__ of plain classes (whole-program analysis)
import torch


class Scaler:
    def __init__(self, k):
        self.k = k

    def __call__(self, t):
        t.mul_(self.k)  # <- blame:callable_object
        return t


x = torch.randn(3, requires_grad=True)
h = torch.sigmoid(x)
Scaler(0.5)(h)
h.sum().backward()
