import torch

x = torch.randn(4, requires_grad=True)
h = x.exp()
torch.sigmoid_(h)
h.sum().backward()
print(x.grad)
