# category: breaks-backward
import torch
import torch.nn.functional as F

dropout_args = (0.5, True, True)
x = torch.randn(8, requires_grad=True)
h = torch.sigmoid(x)
F.dropout(h, *dropout_args)  # <- blame:dropout_star_args
h.sum().backward()
