# expected-verdict: fixed
# F.relu(inplace=True) on the output of sigmoid (IPF004).
import torch
import torch.nn.functional as F

x = torch.randn(3, 4, requires_grad=True)
w = torch.randn(4, 2, requires_grad=True)
s = torch.sigmoid(x @ w)
r = F.relu(s, inplace=True)
loss = (r * torch.tensor([1.0, -2.0])).sum()
loss.backward()
print(w.grad)
