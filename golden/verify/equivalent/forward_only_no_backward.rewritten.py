# expected-verdict: equivalent
# no autograd at all: module-level tensors are compared.
import torch

y = torch.randn(3)
y = y.mul(2)
y = y.add(1)
total = y.sum()
print(total)
