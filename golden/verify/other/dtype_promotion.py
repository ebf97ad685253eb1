# expected-verdict: different
# float32 `+=` float64 stays float32; the rewrite promotes to float64.
import torch

x = torch.randn(3)
y = torch.randn(3, dtype=torch.float64)
x += y
print(x.dtype)
