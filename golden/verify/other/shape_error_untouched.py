# expected-verdict: both-fail
# a matmul shape error that has nothing to do with in-place ops.
import torch

x = torch.randn(2, 3, requires_grad=True)
w = torch.randn(4, 5)
h = x @ w
h.mul_(2)
h.sum().backward()
