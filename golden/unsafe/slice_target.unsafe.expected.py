import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 1
v = h[:2]
# Multiplies h[:2] too: loss 33, grad [10, 20, 3]. `v = v * 10` would give loss 6.
v = v * 10
(h * x).sum().backward()
print(x.grad)
