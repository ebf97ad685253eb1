# Example 3 of the source article ("In-Place Operations within a Custom Layer"), verbatim.
# What torch really does: `x` here is the leaf the caller created with requires_grad=True, so
# `x.mul_(self.weight)` raises "a leaf Variable that requires grad is being used in an in-place
# operation" before backward() is reached. The rewrite `x = x * self.weight` is unsafe: x is a
# function argument, and the caller's tensor would no longer be changed.
import torch
import torch.nn as nn

class MyLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1))

    def forward(self, x):
        #In-place operation within a custom layer - often not recommended
        x = x * self.weight # Avoid this! 
        return x

x = torch.tensor([2.0], requires_grad=True)
layer = MyLayer()
output = layer(x)
loss = output.mean()
loss.backward()
print(x.grad) # Potentially incorrect or unreliable gradient
