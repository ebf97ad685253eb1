import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = h.gt(0.5).to(h.dtype)
h.sum().backward()
print(x.grad)
