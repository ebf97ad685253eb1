# torchvision 0.28's wheel here is the CUDA build, whose _C.so cannot load next to torch+cpu:
# make its fake-op registrations no-ops so that the pure-Python models import.
import torch, torch.library
_orig = torch.library.register_fake
def _rf(name, *a, **k):
    if isinstance(name, str) and name.startswith("torchvision::"):
        return (lambda f: f) if not a else None
    return _orig(name, *a, **k)
torch.library.register_fake = _rf
import torchvision
torch.library.register_fake = _orig
