# Example 1 of the source article ("Incorrect In-Place Modification"), verbatim.
# What torch really does: x * 2 is not saved by anything that `*= 3` would invalidate, so this
# runs and prints tensor([6.]), and the out-of-place `y = y * 3` prints tensor([6.]) too.
# The article's claim that the correct gradient is 3 is wrong: d/dx mean(6x) = 6 both ways.
# It is still an in-place mutation of a tensor in the gradient path, hence a finding.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x * 2
y = y * 3  # In-place modification
loss = y.mean()
loss.backward()
print(x.grad) # Incorrect gradient due to in-place operation
