# expected-verdict: fixed
# torch.relu_ on the output of tanh (IPF003).
import torch

x = torch.randn(5, requires_grad=True)
s = torch.tanh(x)
s = torch.relu(s)
loss = (s * 3).sum()
loss.backward()
print(x.grad)
