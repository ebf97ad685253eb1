import torch

w = torch.randn(3, requires_grad=True)
h = (w * 2).sum()
buf = torch.zeros(4)
# Assigning h mixes a grad tensor into buf: buf now needs gradient tracking.
buf = buf.clone()
buf[0] = h
buf[1] = 1.0
buf.sum().backward()
print(w.grad)
