# Example 2 of the source article ("Correct Modification Using `clone()`"), code verbatim.
# What torch really does: prints tensor([6.]), exactly what example 1 prints; there is no
# in-place operation here, so inplace-fixer reports nothing for this file.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x * 2
y = y * 3 # Correct modification using a new tensor
loss = y.mean()
loss.backward()
print(x.grad)  # Correct gradient
