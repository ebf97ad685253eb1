import torch

x = torch.randn(5, requires_grad=True)
h = x * 2
positive = h > 0
y = torch.where(positive, h, torch.zeros_like(h))
# where() saved `positive` for backward; changing it in place breaks backward().
positive &= torch.tensor([True, False, True, True, True])
y.sum().backward()
print(x.grad)
