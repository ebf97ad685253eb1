import torch

doc = "call x.mul_(2) or y *= 3 or F.relu(x, inplace=True)"
# h.add_(1) in a comment is not code
print(doc, torch.__version__)
