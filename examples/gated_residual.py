# A gated residual block: x + gate * proj(x), with a shared in-place ReLU used to clip the gate.
# What torch really does: sigmoid saves its output for backward, the in-place ReLU overwrites
# that output, and backward() raises "... has been modified by an inplace operation:
# [torch.FloatTensor [2, 16]], which is output 0 of Sigmoid, is at version 1; expected
# version 0 instead." The traceback points at loss.backward(), not at nn.ReLU(inplace=True).
import torch
import torch.nn as nn


class GatedResidualBlock(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.gate = nn.Linear(dim, dim)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        gate = torch.sigmoid(self.gate(x))
        gate = self.act(gate)
        return x + gate * self.proj(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    block = GatedResidualBlock(16)
    inputs = torch.randn(2, 16, requires_grad=True)
    loss = block(inputs).sum()
    loss.backward()
    print(loss.item(), inputs.grad.norm().item())
