import torch

x = torch.randn(3, requires_grad=True)
x = x.detach().cpu().numpy()
x *= 2
print(x)
