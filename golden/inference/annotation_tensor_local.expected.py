import torch
from torch import Tensor


def make_logits(model: torch.nn.Module, batch: Tensor) -> Tensor:
    logits: Tensor = model(batch)
    logits = logits - logits.max()
    return logits
