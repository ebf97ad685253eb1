# A finding: the helper is followed from its call, which passes `h`, derived from a leaf that requires grad.
import torch


def scale_(t: torch.Tensor) -> torch.Tensor:
    # The caller's tensor changes too; after a rewrite it would not.
    t = t * 2
    return t


x = torch.randn(3, requires_grad=True)
h = x * 1
out = scale_(h)
out.sum().backward()
