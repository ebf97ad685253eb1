import torch

x = torch.tensor([1.5, 2.0, 3.0], requires_grad=True)
h = x * 2
h = h + 1.0  # bias shift
loss = h.sum()
loss.backward()
print(x.grad)
