"""Characters outside the BMP before a finding on the same line: 😀 is two UTF-16 units."""
import torch

x = torch.randn(3, requires_grad=True)
h = torch.sigmoid(x)
label = "𝔘😀"; h.mul_(2)
h.sum().backward()
