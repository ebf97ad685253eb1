# expected-verdict: timeout
# the program never finishes.
import torch

x = torch.randn(3, requires_grad=True)
while True:
    x.grad = None
