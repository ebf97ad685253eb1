# Not a finding by design: a Tensor-annotated argument of an ordinary function is a tensor,
# but not known to require grad (only forward() arguments are; see the IPF rules' docs).
import torch


def scale_(t: torch.Tensor) -> torch.Tensor:
    # The caller's tensor changes too; after a rewrite it would not.
    t.mul_(2)
    return t


x = torch.randn(3, requires_grad=True)
h = x * 1
out = scale_(h)
out.sum().backward()
