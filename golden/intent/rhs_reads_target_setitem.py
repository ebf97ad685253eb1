import torch

# Raises: sin saves `a[1]`, a view of `a`, and the write into `a[0]` changes `a`. Cloning `a`
# first does not help (the right-hand side would read the clone): the value is computed first.
x = torch.randn(4, requires_grad=True)
a = x * 2
a[0] = a[1].sin()
a.sum().backward()
