import sys; sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__))); import tvshim
import torch, timm
from timm.models.repghost import RepGhostModule
torch.manual_seed(0)
m = RepGhostModule(8, 16, relu=True, reparam=True) if 'reparam' in RepGhostModule.__init__.__code__.co_varnames else RepGhostModule(8,16)
m.eval()
# grad mode on, as timm's reparameterize_model calls it
try:
    k, b = m.get_equivalent_kernel_bias()
    print("repghost get_equivalent_kernel_bias grad on: OK, requires_grad", k.requires_grad, k.grad_fn)
    (k.sum()+b.sum()).backward(); print("repghost backward OK")
except Exception as e: print("repghost raised", type(e).__name__, str(e)[:200])
from timm.models.tnt import Attention
for p in (0.0, 0.1):
    a = Attention(16, 16, num_heads=2, attn_drop=p); a.train()
    x = torch.randn(2, 5, 16, requires_grad=True)
    try:
        a(x).sum().backward(); print("tnt attn_drop", p, "OK")
    except Exception as e: print("tnt attn_drop", p, "raised", str(e)[:160])
