# expected-verdict: rewritten-fails
# rebinding a manual SGD update under no_grad loses requires_grad (pitfall A4).
import torch

w = torch.randn(3, requires_grad=True)
data = torch.randn(5, 3)
for step in range(2):
    loss = (data @ w).pow(2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad = None
print(w)
