import torch

data = [[1.0, 2.0], [3.0, 4.0]]
x = torch.tensor(data)
x -= x.mean(dim=0)
x /= x.std(dim=0)
x.clamp_(-3, 3)
print(x)
