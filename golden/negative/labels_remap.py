import torch

labels = torch.tensor([0, -1, 2, -1])
labels[labels == -1] = 0
labels += 1
print(labels)
