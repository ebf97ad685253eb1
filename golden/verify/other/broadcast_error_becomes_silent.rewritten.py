# expected-verdict: different
# in-place never broadcasts self; the rewrite silently changes the shape (pitfall B1).
import torch

x = torch.randn(3)
y = torch.randn(2, 3)
x = x + y
print(x.shape)
