# expected-verdict: fixed
# torch.exp(x, out=buf) where x requires grad (IPF005).
import torch

x = torch.randn(3, requires_grad=True)
buf = torch.empty(3)
buf = torch.exp(x)
loss = (buf * 2).sum()
loss.backward()
print(x.grad)
