import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = torch.empty_like(h).uniform_(-0.1, 0.1)
h.sum().backward()
print(x.grad)
