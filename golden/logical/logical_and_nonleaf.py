import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
# logical_and_ is invisible to autograd: x.grad stays [3, 3] although h became 0/1.
h.logical_and_(torch.tensor([True, False]))
h.sum().backward()
print(x.grad)
