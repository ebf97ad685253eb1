import torch
def new_leaf(rows):
    return torch.full((rows, 2), 0.1).requires_grad_()
W = new_leaf(4)
with torch.no_grad():
    W[-1] -= 0.5                      # expect IPF001: leaf that requires grad
