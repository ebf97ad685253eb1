import torch

# Raises: writes into the sigmoid result. The first two writes share one clone; the third reads
# `y` itself, so it gets its own value-first fix.
x = torch.randn(3, 4, requires_grad=True)
y = torch.sigmoid(x)
y = y.clone()
y[0, 1] = 0.5
y[1, 2] = 0.25
y_value = y[0, 0].sin()
y = y.clone()
y[2, 0] = y_value
y.sum().backward()
