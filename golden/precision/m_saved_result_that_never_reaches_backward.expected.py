# expect: no breaks-backward. `amax` saves its result, and `scatter_` changes it, but all that leaves select() is `topk` indices (integers): no backward ever runs through amax (transformers MiniMax-M3 selects key blocks this way). At most in-gradient-path.
import torch
import torch.nn as nn


class BlockSelect(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 8)

    def select(self, x, local):
        scores = self.q(x) @ x.t()
        block_scores = scores.view(4, 2, 2).amax(dim=-1)
        block_scores = block_scores.scatter(-1, local, float("inf"))
        top_scores, top_indices = block_scores.topk(1, dim=-1)
        return top_indices.masked_fill(top_scores == float("-inf"), -1)

    def forward(self, x, local):
        chosen = self.select(x, local)
        return self.q(x)[:, : chosen.shape[-1]]


model = BlockSelect()
x = torch.randn(4, 8)
model(x, torch.zeros(4, 1, dtype=torch.long)).sum().backward()
print("ran: backward OK")
