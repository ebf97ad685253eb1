import torch

x = torch.randn(3, requires_grad=True)
h = x * 2
for step in range(3):
    if step % 2:
        h = h * 0.9
    else:
        h = h + 0.1
h.sum().backward()
print(x.grad)
