# expected-verdict: fixed
# Article example 3: x.mul_(self.weight) in forward() modifies a leaf that requires grad.
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
