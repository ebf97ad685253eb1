import torch
x = torch.randn(3, requires_grad=True)
for step in range(3):
    y = torch.sigmoid(x * step)
    if step == 0:
        total = y
    else:
        total = total + y                # expect IPF001: total is sigmoid output
total.sum().backward()
