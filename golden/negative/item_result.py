import torch

x = torch.randn(3, requires_grad=True)
loss = (x * 2).sum()
value = loss.item()
value += 1
value *= 2
print(value)
