import torch

x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
h = x * 3
h = h.clamp(min=0) * 0.5
h.sum().backward()
print(x.grad)
