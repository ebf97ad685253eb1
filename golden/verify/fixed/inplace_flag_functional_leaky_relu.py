# expected-verdict: fixed
# F.leaky_relu(inplace=True) on the output of tanh.
import torch
import torch.nn.functional as F

x = torch.randn(8, requires_grad=True)
t = torch.tanh(x)
u = F.leaky_relu(t, 0.1, inplace=True)
loss = (u * u).sum()
loss.backward()
print(x.grad)
