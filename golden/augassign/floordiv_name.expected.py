import torch

x = torch.tensor([1.5, 2.0, 3.0], requires_grad=True)
steps = x * 10
# floor_divide has no derivative in either form, so this snippet stops before backward().
steps = steps // 3
print(steps)
