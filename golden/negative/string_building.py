import torch

msg = "loss"
msg += ": "
msg += str(torch.tensor(1.0).item())
line = "-"
line *= 20
print(msg, line)
