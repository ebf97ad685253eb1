import torch


def shifted_square(x: torch.Tensor) -> torch.Tensor:
    h = x * x
    return h.add_(1)


x = torch.tensor([1.0, 2.0], requires_grad=True)
shifted_square(x).sum().backward()
print(x.grad)
