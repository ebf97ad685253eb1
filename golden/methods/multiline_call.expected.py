import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 1
h = h.add(
    torch.ones(2),  # offset
    alpha=0.5,
)
h.sum().backward()
print(x.grad)
