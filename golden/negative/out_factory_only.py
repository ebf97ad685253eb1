import torch

buf = torch.empty(4)
torch.arange(4, out=buf)
torch.add(buf, 1, out=buf)
print(buf)
