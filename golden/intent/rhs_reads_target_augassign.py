import torch

# Raises: exp saves its result, and the sigmoid result `h` is changed in place.
x = torch.randn(3, 4, requires_grad=True)
h = torch.sigmoid(x)
h[0, 1] += h[1, 2].exp()
h.sum().backward()
