# expected-verdict: equivalent
# Article example 1: `y *= 3` on `y = x * 2`. Nothing saved `y`, so there is no autograd error; gradient 6 both ways.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x * 2
y *= 3  # In-place modification
loss = y.mean()
loss.backward()
print(x.grad) # Incorrect gradient due to in-place operation
