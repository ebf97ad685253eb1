import torch

batch = {"x": torch.randn(2, 3), "y": torch.tensor([0, 1])}
batch["x"] *= 2
batch["y"] += 1
print(batch)
