import torch
from torch.autograd import Variable
v = Variable(torch.zeros(3), requires_grad=True)
with torch.no_grad():
    v.add_(1.0)                       # expect IPF002: leaf that requires grad
