import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = h.addcmul(torch.ones(3), torch.full((3,), 2.0), value=0.5)
h.sum().backward()
print(x.grad)
