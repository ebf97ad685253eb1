import torch

step = 0
lr = 0.1
for _ in range(3):
    step += 1
    lr *= 0.5
    lr **= 1
print(step, lr, torch.__version__)
