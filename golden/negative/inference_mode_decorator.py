import torch
from torch import nn

model = nn.Linear(3, 3)


@torch.inference_mode()
def predict(batch):
    logits = model(batch)
    logits /= 2.0
    return logits.argmax(-1)


print(predict(torch.randn(2, 3)))
