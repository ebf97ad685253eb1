# expected-verdict: fixed
# log saves its input; `-=` modifies the input.
import torch

x = torch.rand(4, requires_grad=True)
h = x * 2 + 3
y = torch.log(h)
h -= 1
loss = (y * h).sum()
loss.backward()
print(x.grad)
