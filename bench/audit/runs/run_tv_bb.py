import sys; sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__))); import tvshim
import torch, torchvision
torch.manual_seed(0)
from torchvision.models import googlenet, inception_v3
for name, fn, size in (("googlenet", lambda: googlenet(weights=None, aux_logits=False, init_weights=False, num_classes=10), 64),
                       ("inception_v3", lambda: inception_v3(weights=None, aux_logits=False, init_weights=False, num_classes=10), 80)):
    m = fn(); m.train()
    x = torch.randn(2, 3, size, size)
    try:
        out = m(x); out = out.logits if hasattr(out, "logits") else out
        out.sum().backward(); print(name, "train forward+backward OK")
    except Exception as e: print(name, "raised", str(e)[:200])
