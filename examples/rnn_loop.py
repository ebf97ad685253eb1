# An Elman RNN that writes each step's hidden state into a preallocated tensor and feeds the
# previous step back in from it. What torch really does: the recurrent Linear saves its input
# `outputs[t - 1]` (a view of `outputs`) for backward, and the next `outputs[t] = h` changes
# `outputs` in place, so backward() raises "one of the variables needed for gradient
# computation has been modified by an inplace operation: [torch.FloatTensor [2, 8]], which is
# output 0 of AsStrided, is at version 5; expected version 4 instead." It names neither the
# line nor `outputs`. The fix clones `outputs` before each write: one copy per step.
import torch
from torch import nn


class ElmanRNN(nn.Module):
    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.input_proj = nn.Linear(input_size, hidden_size)
        self.recurrent = nn.Linear(hidden_size, hidden_size, bias=False)

    def forward(self, x):
        steps, batch, _ = x.shape
        outputs = torch.zeros(steps, batch, self.hidden_size)
        for t in range(steps):
            previous = outputs[t - 1] if t > 0 else torch.zeros(batch, self.hidden_size)
            h = torch.tanh(self.input_proj(x[t]) + self.recurrent(previous))
            outputs[t] = h
        return outputs


if __name__ == "__main__":
    torch.manual_seed(0)
    model = ElmanRNN(input_size=4, hidden_size=8)
    sequence = torch.randn(5, 2, 4)
    loss = model(sequence).pow(2).mean()
    loss.backward()
    print(loss.item(), model.recurrent.weight.grad.norm().item())
