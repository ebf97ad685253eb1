# expected-verdict: fixed
# F.dropout(inplace=True) on the output of sigmoid (same seed, same mask).
import torch
import torch.nn.functional as F

x = torch.randn(4, 5, requires_grad=True)
h = torch.sigmoid(x)
h = F.dropout(h, p=0.3, training=True)
loss = (h * x).sum()
loss.backward()
print(x.grad)
