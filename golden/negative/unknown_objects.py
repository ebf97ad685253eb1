import torch
from mylib import foo, registry

obj = registry.lookup("counter")
obj.value += 1
foo().add_(1)
config = load_config()
config["lr"] *= 0.1
print(torch.__version__)
