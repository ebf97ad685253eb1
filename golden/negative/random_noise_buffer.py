import torch

mu = torch.zeros(3, requires_grad=True)
eps = torch.empty_like(mu)
eps.normal_()
noise = torch.randn(3)
noise.mul_(0.1)
z = mu + eps * noise
z.sum().backward()
