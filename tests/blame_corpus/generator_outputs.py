# category: breaks-backward
import torch

x = torch.randn(3, requires_grad=True)
outs = [torch.tanh(x * k) for k in (1.0, 2.0)]


def each(items):
    yield from items


for h in each(outs):
    h.sub_(0.1)  # <- blame:generator_outputs
sum(o.sum() for o in outs).backward()
