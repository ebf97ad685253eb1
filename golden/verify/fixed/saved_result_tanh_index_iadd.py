# expected-verdict: fixed
# tanh saves its output; `y[idx] += 1` overwrites part of it.
import torch

x = torch.randn(4, requires_grad=True)
y = x.tanh()
y[[0, 2]] += 1
loss = (y ** 3).sum()
loss.backward()
print(x.grad)
