# category: breaks-backward
# static-reaches: inplace-fixer check now follows this (whole-program analysis)
import torch

cache = {}
x = torch.randn(3, requires_grad=True)
cache["h"] = torch.exp(x)
cache["h"] += 1.0  # <- blame:dict_cache
cache["h"].sum().backward()
