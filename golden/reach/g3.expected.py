import torch
x = torch.randn(3, requires_grad=True)
e = torch.jit.annotate(torch.Tensor, torch.exp(x))
e = e + 1                            # expect IPF001: exp saved e
e.sum().backward()
