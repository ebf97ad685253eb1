import torch as T

x = T.randn(4, requires_grad=True)
h = x * 2
h = T.relu(h)
h.sum().backward()
print(x.grad)
