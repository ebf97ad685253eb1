"""Entraîne un petit modèle — αβγ."""
import torch

x = torch.randn(3, requires_grad=True)
h = x * 2  # ← ici
h = h / 2
h.sum().backward()
