# expected-verdict: fixed
# the first backward of a small training loop fails; the rewrite trains for three steps.
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
data = torch.randn(8, 4)
target = torch.randn(8, 2)
for step in range(3):
    optimizer.zero_grad()
    h = torch.sigmoid(model(data))
    h = h.mul(2)
    loss = ((h - target) ** 2).mean()
    loss.backward()
    optimizer.step()
print(loss.item())
