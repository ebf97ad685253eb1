import torch

# Raises: exp saves its result, and the sigmoid result `h` is changed in place.
x = torch.randn(3, 4, requires_grad=True)
h = torch.sigmoid(x)
h_value = h[1, 2].exp()
h = h.clone()
h[0, 1] += h_value
h.sum().backward()
