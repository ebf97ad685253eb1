import torch
import torch.nn as nn
from typing import List, Union
class Flex(nn.Module):
    def forward(self, x: Union[torch.Tensor, List[torch.Tensor]]):
        y = torch.sigmoid(x)
        y = y * 2                 # expect IPF002: sigmoid saved y
        return y
Flex()(torch.randn(3, requires_grad=True)).sum().backward()
