# expected-verdict: fixed
# pow saves its input; mul_ modifies the input.
import torch

x = torch.randn(4, requires_grad=True)
h = x + 0.5
y = h.pow(3)
h.mul_(2)
loss = y.sum() + h.sum()
loss.backward()
print(x.grad)
