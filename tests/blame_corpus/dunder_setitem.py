# category: breaks-backward
import torch

x = torch.randn(4, requires_grad=True)
h = x.exp()
writer = h.__setitem__
writer(0, 1.0)  # <- blame:dunder_setitem
h.sum().backward()
