import torch
x = torch.randn(3, requires_grad=True)
acc = None
for k in range(3):
    y = torch.exp(x + k)
    if acc is None:
        acc = y
    else:
        acc = acc + y                  # expect IPF001: acc is exp output
acc.sum().backward()
