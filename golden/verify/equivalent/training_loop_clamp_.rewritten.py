# expected-verdict: equivalent
# clamp_ on a Linear output inside a training loop; final parameters compared.
import torch
import torch.nn as nn

model = nn.Linear(3, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
data = torch.randn(10, 3)
target = torch.randn(10, 2)
for step in range(4):
    optimizer.zero_grad()
    out = model(data)
    out = out.clamp(min=-1.0, max=1.0)
    loss = ((out - target) ** 2).mean()
    loss.backward()
    optimizer.step()
print(loss.item())
