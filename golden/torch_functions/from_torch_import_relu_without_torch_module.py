from torch import randn, relu_

x = randn(3, requires_grad=True)
h = x * 2
# The out-of-place form needs `torch.relu`, and this file never binds the name `torch`.
relu_(h)
h.sum().backward()
