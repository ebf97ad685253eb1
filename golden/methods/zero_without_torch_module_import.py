from torch import randn

x = randn(3, requires_grad=True)
h = x * 2
# The out-of-place form needs the name `torch`, which this file never binds.
h.zero_()
h.sum().backward()
