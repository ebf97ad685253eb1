# expected-verdict: fixed
# `*=` on an nn.Parameter.
import torch
import torch.nn as nn

p = nn.Parameter(torch.ones(2))
inputs = torch.tensor([0.5, -1.5])
p = p * 3
loss = (p * inputs).pow(2).sum()
loss.backward()
print(loss)
