import torch

idx = torch.arange(5)
idx += 1
idx[idx > 3] = 0
steps = torch.zeros(3, dtype=torch.long)
steps.add_(1)
print(idx, steps)
