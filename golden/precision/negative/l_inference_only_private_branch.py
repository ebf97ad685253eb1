# expect: no finding. `_inference_forward` runs only when a caller sets `inplace_safe`, and no call does (transformers ESMFold's triangle update has this shape); the chunked branch runs only when a chunk size is passed, and none is.
import torch
import torch.nn as nn


class TriangleUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def _inference_forward(self, z):
        x = torch.sigmoid(self.lin(z))
        x.mul_(2)  # would break backward: sigmoid saved x
        return x

    def _combine(self, a, b, chunk=None):
        if chunk is not None:
            for i in range(0, a.shape[0], chunk):
                a[i : i + chunk] = torch.matmul(a[i : i + chunk], b)
            return a
        return torch.matmul(a, b)

    def forward(self, z, inplace_safe=False):
        if inplace_safe:
            return self._inference_forward(z)
        return self._combine(self.lin(z), z.t())


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.update = TriangleUpdate()

    def forward(self, z):
        return self.update(z)


Block()(torch.randn(4, 4)).sum().backward()
print("ran: backward OK")
