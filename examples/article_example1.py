# Example 1 of the source article ("Incorrect In-Place Modification"), code verbatim.
# What torch really does: nothing saved `y` for backward, so this runs and prints tensor([6.]);
# the out-of-place `y = y * 3` prints tensor([6.]) too. The article's claim that the correct
# gradient is 3 is wrong: d/dx mean(2x * 3) = 6 either way. It is still an in-place change of a
# tensor in the gradient path (one later `torch.sigmoid(y)` away from breaking), hence a finding.
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x * 2
y *= 3  # In-place modification
loss = y.mean()
loss.backward()
print(x.grad) # Incorrect gradient due to in-place operation
