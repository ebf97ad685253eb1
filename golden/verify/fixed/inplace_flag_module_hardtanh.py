# expected-verdict: fixed
# nn.Hardtanh(inplace=True) applied to the output of exp.
import torch
import torch.nn as nn

act = nn.Hardtanh(0.0, 1.5, inplace=True)
x = torch.randn(6, requires_grad=True)
y = act(torch.exp(x))
loss = (y * torch.arange(6.0)).sum()
loss.backward()
print(x.grad)
