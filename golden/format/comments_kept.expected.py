import torch

# Scale the activations (see the paper, eq. 3).
x = torch.randn(3, requires_grad=True)
h = x * 2
# before the update
h = h * 3  # trailing comment stays
# after the update
h = h.clamp(min=0)  # ReLU by hand
h.sum().backward()
