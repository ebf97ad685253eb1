import torch

x = torch.randn(3, requires_grad=True)
buf = torch.empty(3)
with torch.no_grad():
    torch.exp(x, out=buf)
print(buf)
