# category: breaks-backward
import torch
import torch.nn.functional as F

name = "relu"
x = torch.randn(4, requires_grad=True)
h = torch.sigmoid(x)
getattr(F, name)(h, inplace=True)  # <- blame:getattr_functional
h.sum().backward()
