import torch

x = torch.randn(3, requires_grad=True)
outputs = [None] * 3
for t in range(3):
    outputs[t] = x * t
torch.stack(outputs).sum().backward()
