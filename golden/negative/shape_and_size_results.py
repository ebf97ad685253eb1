import torch

x = torch.randn(2, 3, requires_grad=True)
n = x.shape[0]
n += 1
dims = list(x.size())
dims[0] = 4
count = x.numel()
count //= 2
rank = x.dim()
rank -= 1
print(n, dims, count, rank)
