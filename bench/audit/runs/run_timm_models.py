import sys; sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__))); import tvshim
import torch, timm, warnings; warnings.filterwarnings("ignore")
torch.set_num_threads(1)
names = sys.argv[1:]
for n in names:
    name, _, size = n.partition("@"); size = int(size or 64)
    torch.manual_seed(0)
    try:
        kw = {}
        m = timm.create_model(name, pretrained=False, num_classes=5, **kw); m.train()
        x = torch.randn(2, 3, size, size)
        out = m(x); out = out[0] if isinstance(out, (tuple, list)) else out
        out.float().sum().backward(); print(n, "OK", flush=True)
    except Exception as e:
        print(n, "raised", type(e).__name__, str(e)[:200], flush=True)
