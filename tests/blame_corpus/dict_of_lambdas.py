# category: breaks-backward
import torch

POSTPROCESS = {"double": lambda t: t.mul_(2.0), "none": lambda t: t}  # <- blame:dict_of_lambdas

x = torch.randn(3, requires_grad=True)
h = torch.sigmoid(x)
POSTPROCESS["double"](h)
h.sum().backward()
