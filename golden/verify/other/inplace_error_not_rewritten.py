# expected-verdict: both-fail
# the rewrite changed another line and left the offending mul_ in place.
import torch

x = torch.randn(3, requires_grad=True)
z = x * 1
z += 1
y = x.sigmoid()
y.mul_(2)
y.sum().backward()
