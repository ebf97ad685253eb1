# expected-verdict: fixed
# log_softmax saves its output; neg_ overwrites it.
import torch
import torch.nn.functional as F

scores = torch.randn(3, 4, requires_grad=True)
labels = torch.tensor([[1], [0], [3]])
logp = F.log_softmax(scores, dim=1)
logp.neg_()
loss = logp.gather(1, labels).mean()
loss.backward()
print(scores.grad)
