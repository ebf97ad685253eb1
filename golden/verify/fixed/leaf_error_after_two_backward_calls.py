# expected-verdict: fixed
# two backward calls complete, then a leaf is changed in place: the error comes at that line; the two completed calls are compared call by call.
import torch

w = torch.randn(3, requires_grad=True)
for step in range(3):
    loss = (w * w).sum()
    loss.backward()
    if step == 1:
        w.add_(0.1)
print(w.grad)
