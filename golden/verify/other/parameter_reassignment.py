# expected-verdict: rewritten-fails
# a module attribute that is a Parameter cannot be rebound to a plain tensor (pitfall A4).
import torch
import torch.nn as nn

layer = nn.Linear(2, 2)
with torch.no_grad():
    layer.weight.sub_(0.1)
loss = layer(torch.ones(1, 2)).sum()
loss.backward()
print(layer.weight.grad)
