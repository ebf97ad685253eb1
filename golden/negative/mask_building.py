import torch

n = 5
keep = torch.ones(n, dtype=torch.bool)
keep[torch.tensor([1, 3])] = False
keep &= torch.rand(n) > 0.1
print(keep)
