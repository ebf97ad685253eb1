import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = torch.tensor([1.0, 2.0, 3.0]).to(h).expand_as(h).clone()
h.sum().backward()
print(x.grad)
