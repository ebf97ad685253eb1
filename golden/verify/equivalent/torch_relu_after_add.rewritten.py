# expected-verdict: equivalent
# torch.relu_ on the output of an addition, which saves nothing.
import torch

x = torch.randn(5, requires_grad=True)
bias = torch.randn(5, requires_grad=True)
h = x + bias
h = torch.relu(h)
loss = (h * torch.arange(5.0)).sum()
loss.backward()
print(x.grad, bias.grad)
