import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = h.masked_fill(h > 1.0, 0.0)
h.sum().backward()
print(x.grad)
