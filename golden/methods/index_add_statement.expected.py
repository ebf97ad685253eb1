import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = h.index_add(0, torch.tensor([0, 2]), torch.ones(2))
h.sum().backward()
print(x.grad)
