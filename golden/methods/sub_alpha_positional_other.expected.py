import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = h.sub(torch.full((3,), 0.5), alpha=0.1)
h.sum().backward()
print(x.grad)
