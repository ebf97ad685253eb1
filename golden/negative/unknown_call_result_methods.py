import torch
from mylib import make_buffer

buf = make_buffer()
buf.mul_(2)
buf[0] = 1
buf += 3
print(torch.__version__)
