import torch

x = torch.tensor([0.5, 1.0], requires_grad=True)
y = x.exp()
# .data hides the change from autograd: x.grad comes out as exp(x) + 1, silently.
y.data.add_(1)
y.sum().backward()
print(x.grad)
