import torch

# Gewichtung für die Ausgabe
x = torch.randn(3, requires_grad=True)
h = x * 2
h = h * 0.5
h.sum().backward()
