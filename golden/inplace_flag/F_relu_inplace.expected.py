import torch
import torch.nn.functional as F

x = torch.randn(4, requires_grad=True)
h = x.sigmoid()
# sigmoid saved h; relu in place changes it and backward() raises.
h = F.relu(h)
h.sum().backward()
