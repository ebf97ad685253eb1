import torch
import torch.nn as nn
def stamp(vec, *, pos):
    with torch.no_grad():
        vec[pos] = 0.0                # expect IPF006: view of a leaf Parameter
class Proj(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 5)
        stamp(vec=self.lin.bias, pos=2)
Proj()
