import torch as T

x = T.ones(3, requires_grad=True)
h = T.tanh(x)
h = h * 3
h.sum().backward()
