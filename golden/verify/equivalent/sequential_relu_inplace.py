# expected-verdict: equivalent
# nn.ReLU(inplace=True) between two Linear layers is the classic safe use.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 1))
data = torch.randn(6, 4)
loss = model(data).pow(2).mean()
loss.backward()
print(model[0].weight.grad.norm())
