# expected-verdict: equivalent
# Article example 2: already out of place; the rewrite leaves it unchanged; gradient 6.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x * 2
y = y * 3 # Correct modification using a new tensor
loss = y.mean()
loss.backward()
print(x.grad)  # Correct gradient
