# expected-verdict: equivalent
# F.linear saves input and weight, not its output.
import torch
import torch.nn.functional as F

inputs = torch.randn(5, 4)
weight = torch.randn(3, 4, requires_grad=True)
bias = torch.randn(3, requires_grad=True)
out = F.linear(inputs, weight, bias)
out *= 0.5
loss = out.pow(2).sum()
loss.backward()
print(weight.grad, bias.grad)
