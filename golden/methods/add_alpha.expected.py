import torch

x = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
h = x * 2
h = h.add(torch.ones(3), alpha=2)  # alpha keeps the method form
h.sum().backward()
print(x.grad)
