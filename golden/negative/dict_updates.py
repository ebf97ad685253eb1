import torch

metrics = {"loss": 0.0, "steps": 0}
metrics["loss"] += 0.5
metrics["steps"] += 1
metrics |= {"lr": 0.1}
print(metrics, torch.float32)
