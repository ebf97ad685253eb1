import torch
import torch.nn as nn

# Raises: clamp_ on a Parameter with grad mode on (weight clipping outside no_grad).
critic = nn.Linear(3, 1)
with torch.no_grad():
    critic.weight.clamp_(-0.01, 0.01)
critic(torch.randn(2, 3)).sum().backward()
