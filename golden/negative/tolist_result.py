import torch

x = torch.randn(3, requires_grad=True)
values = (x * 2).tolist()
values += [0.0]
values[0] = 1.0
print(values)
