import sys; sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__))); import tvshim
import torch, torchvision, warnings; warnings.filterwarnings("ignore")
torch.set_num_threads(1)
from torchvision import models
from torchvision.models import video, segmentation
cases = [
 ("alexnet", lambda: models.alexnet(num_classes=5), (2,3,64,64)),
 ("densenet121", lambda: models.densenet121(num_classes=5), (2,3,32,32)),
 ("mnasnet0_5", lambda: models.mnasnet0_5(num_classes=5), (2,3,32,32)),
 ("mobilenet_v3_small", lambda: models.mobilenet_v3_small(num_classes=5), (2,3,32,32)),
 ("efficientnet_b0", lambda: models.efficientnet_b0(num_classes=5), (2,3,32,32)),
 ("resnet18", lambda: models.resnet18(num_classes=5), (2,3,32,32)),
 ("resnet50", lambda: models.resnet50(num_classes=5), (2,3,32,32)),
 ("convnext_tiny", lambda: models.convnext_tiny(num_classes=5), (2,3,32,32)),
 ("shufflenet_v2_x0_5", lambda: models.shufflenet_v2_x0_5(num_classes=5), (2,3,32,32)),
 ("squeezenet1_0", lambda: models.squeezenet1_0(num_classes=5), (2,3,64,64)),
 ("squeezenet1_1", lambda: models.squeezenet1_1(num_classes=5), (2,3,64,64)),
 ("vgg11_bn", lambda: models.vgg11_bn(num_classes=5), (2,3,32,32)),
 ("vgg11", lambda: models.vgg11(num_classes=5), (2,3,32,32)),
 ("swin_v2_t", lambda: models.swin_v2_t(num_classes=5), (2,3,64,64)),
 ("r3d_18", lambda: video.r3d_18(num_classes=5), (1,3,4,32,32)),
 ("r2plus1d_18", lambda: video.r2plus1d_18(num_classes=5), (1,3,4,32,32)),
 ("mc3_18", lambda: video.mc3_18(num_classes=5), (1,3,4,32,32)),
 ("lraspp", lambda: segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=3), (2,3,64,64)),
]
only = set(sys.argv[1:])
for name, fn, shape in cases:
    if only and name not in only: continue
    torch.manual_seed(0)
    try:
        m = fn(); m.train(); out = m(torch.randn(*shape))
        out = out["out"] if isinstance(out, dict) else out
        out.sum().backward(); print(name, "OK", flush=True)
    except Exception as e:
        print(name, "raised", type(e).__name__, str(e)[:200], flush=True)
