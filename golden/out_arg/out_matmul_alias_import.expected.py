import torch as T

w = T.randn(3, 3, requires_grad=True)
x = T.randn(2, 3)
result = T.empty(2, 3)
result = T.matmul(x, w)
result.sum().backward()
