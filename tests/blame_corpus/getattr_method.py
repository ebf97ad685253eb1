# category: breaks-backward
import torch

OP = "mul_"
x = torch.randn(3, requires_grad=True)
h = torch.sigmoid(x)
getattr(h, OP)(3.0)  # <- blame:getattr_method
h.sum().backward()
