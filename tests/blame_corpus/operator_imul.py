# category: breaks-backward
import operator

import torch

x = torch.randn(3, requires_grad=True)
h = torch.tanh(x)
operator.imul(h, 2.0)  # <- blame:operator_imul
h.sum().backward()
