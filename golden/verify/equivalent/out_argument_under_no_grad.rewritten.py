# expected-verdict: equivalent
# out= under no_grad into a plain buffer.
import torch

a = torch.randn(4)
b = torch.randn(4)
c = torch.empty(4)
with torch.no_grad():
    c = torch.add(a, b)
w = torch.randn(4, requires_grad=True)
loss = (w * c).sum()
loss.backward()
print(w.grad)
