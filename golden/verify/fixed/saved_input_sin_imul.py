# expected-verdict: fixed
# sin saves its input; `*=` modifies the input.
import torch

x = torch.randn(5, requires_grad=True)
h = x * 1.0
s = h.sin()
h *= 3
loss = (s + h).sum()
loss.backward()
print(x.grad)
