import torch

# torch 2.13: runs: sigmoid saved `y`, but inside allow_mutation_on_saved_tensors() torch keeps a
# copy, so the in-place change does not break backward (IPF002 still flags it, not as
# breaks-backward).
x = torch.randn(3, requires_grad=True)
with torch.autograd.graph.allow_mutation_on_saved_tensors():
    y = torch.sigmoid(x)
    y = y * 2
    y.sum().backward()
