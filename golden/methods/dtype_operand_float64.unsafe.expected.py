import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 2
scale = torch.tensor([0.1, 0.2], dtype=torch.float64)
# In place keeps float32; h * scale would be float64.
h = h * scale
h.sum().backward()
print(x.grad)
