# expected-verdict: equivalent
# no autograd at all: module-level tensors are compared.
import torch

y = torch.randn(3)
y.mul_(2)
y.add_(1)
total = y.sum()
print(total)
