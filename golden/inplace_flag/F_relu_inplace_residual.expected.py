import torch
import torch.nn.functional as F

x = torch.randn(4, requires_grad=True)
h = x * 2
# With inplace=True the residual adds the rectified h, not the original one.
h = F.relu(h)
y = h + h
y.sum().backward()
print(x.grad)
