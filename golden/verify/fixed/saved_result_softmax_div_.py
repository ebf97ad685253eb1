# expected-verdict: fixed
# softmax saves its output; div_ overwrites it.
import torch

logits = torch.randn(2, 5, requires_grad=True)
target = torch.rand(2, 5)
temperature = 2.0
p = torch.softmax(logits, dim=-1)
p.div_(temperature)
loss = (p * target).sum()
loss.backward()
print(logits.grad)
