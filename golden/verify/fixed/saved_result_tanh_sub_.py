# expected-verdict: fixed
# tanh saves its output; sub_ overwrites it.
import torch

x = torch.randn(3, 4, requires_grad=True)
y = torch.tanh(x)
y.sub_(0.5)
loss = (y ** 2).mean()
loss.backward()
print(x.grad)
