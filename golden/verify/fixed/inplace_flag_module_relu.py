# expected-verdict: fixed
# nn.ReLU(inplace=True) right after nn.Sigmoid in a Sequential.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.ReLU(inplace=True), nn.Linear(3, 1))
data = torch.randn(5, 4)
loss = model(data).pow(2).mean()
loss.backward()
print(model[0].weight.grad)
