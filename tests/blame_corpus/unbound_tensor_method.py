# category: breaks-backward
import torch

method = getattr(torch.Tensor, "add_")
x = torch.randn(3, requires_grad=True)
h = x.exp()
method(h, 1.0)  # <- blame:unbound_tensor_method
h.sum().backward()
