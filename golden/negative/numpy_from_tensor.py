import torch

x = torch.randn(3, requires_grad=True)
arr = x.detach().numpy()
arr *= 2
arr[0] = 0.0
print(arr)
