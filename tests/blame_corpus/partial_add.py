# category: breaks-backward
import functools

import torch

shift = functools.partial(torch.Tensor.add_, other=0.5)
x = torch.randn(3, requires_grad=True)
h = x.exp()
shift(h)  # <- blame:partial_add
h.sum().backward()
