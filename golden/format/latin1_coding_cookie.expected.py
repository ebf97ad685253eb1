# -*- coding: latin-1 -*-
import torch

label = "température"
x = torch.randn(3, requires_grad=True)
h = x * 2
h = h - 1  # décalage
h.sum().backward()
print(label)
