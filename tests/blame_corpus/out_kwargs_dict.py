# category: breaks-backward
import torch

x = torch.randn(3, requires_grad=True)
h = torch.sigmoid(x)
options = {"out": h}
with torch.no_grad():
    torch.mul(torch.ones(3), 2.0, **options)  # <- blame:out_kwargs_dict
h.sum().backward()
