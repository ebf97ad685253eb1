# Example 3 of the source article ("In-Place Operations within a Custom Layer"), code verbatim.
# What torch really does: `x` is the leaf the caller created with requires_grad=True, so
# `x.mul_(self.weight)` raises "RuntimeError: a leaf Variable that requires grad is being used
# in an in-place operation." before backward() is reached. The fix `x = x * self.weight` is
# marked unsafe: x is a function argument, and the caller's tensor is no longer changed.
import torch
import torch.nn as nn

class MyLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1))

    def forward(self, x):
        #In-place operation within a custom layer - often not recommended
        x.mul_(self.weight) # Avoid this! 
        return x

x = torch.tensor([2.0], requires_grad=True)
layer = MyLayer()
output = layer(x)
loss = output.mean()
loss.backward()
print(x.grad) # Potentially incorrect or unreliable gradient
