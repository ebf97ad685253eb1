import torch

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = x.sigmoid()
# sigmoid saved its output: changing y in place makes backward() raise.
y = y + 1
y.sum().backward()
print(x.grad)
