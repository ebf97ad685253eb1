import torch

x = torch.randn(3, requires_grad=True)
with torch.no_grad():
    stats = x.mean()
    with torch.enable_grad():
        h = x * 2
        h = h * 3
h.sum().backward()
print(stats)
