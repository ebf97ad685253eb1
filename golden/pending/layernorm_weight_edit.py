import torch
import torch.nn as nn

# torch 2.13: raises: LayerNorm saves its weight and bias.
torch.manual_seed(0)
ln = nn.LayerNorm(3)
x = torch.randn(4, 3, requires_grad=True)
y = ln(x)
with torch.no_grad():
    ln.weight.fill_(1.0)
y.sum().backward()
