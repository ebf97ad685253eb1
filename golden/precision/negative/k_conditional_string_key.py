# expect: no finding. `shared` is a dict: it is indexed by a string whichever branch of the conditional key runs (transformers mistral_large4 stores its shared KV states this way).
from collections import UserDict as KVSharingDict

import torch
import torch.nn as nn


class Attention(nn.Module):
    def __init__(self, use_rope: bool):
        super().__init__()
        self.use_rope = use_rope
        self.k = nn.Linear(4, 4)

    def forward(self, hidden, shared):
        k = self.k(hidden)
        shared["rope" if self.use_rope else "nope"] = (k, k.sin())
        shared["last_" + ("rope" if self.use_rope else "nope")] = k
        return k * 2


attention = Attention(use_rope=True)
shared = KVSharingDict()
attention(torch.randn(2, 4), shared).sum().backward()
print("ran: backward OK")
