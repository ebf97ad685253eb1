import torch

losses = []
losses += [1.0]
losses *= 2
history = [torch.zeros(1)]
history += [torch.ones(1)]
print(losses, history)
