# Example 2 of the source article ("Correct Modification"), verbatim: already out of place.
# torch prints tensor([6.]), the same as example 1.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x * 2
y = y * 3 # Correct modification using a new tensor
loss = y.mean()
loss.backward()
print(x.grad)  # Correct gradient
