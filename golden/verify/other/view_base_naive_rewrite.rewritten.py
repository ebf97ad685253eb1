# expected-verdict: different
# mul_ on a view also changes its base; rebinding only the view loses that (pitfall A1).
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 1
v = h[:2]
v = v.mul(10)
loss = h.sum()
loss.backward()
print(loss, x.grad)
