import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tiny.py')).read())
from transformers.models.conditional_detr.modeling_conditional_detr import ConditionalDetrMLPPredictionHead
from transformers.models.dab_detr.modeling_dab_detr import DabDetrMLP
from transformers.models.deformable_detr.modeling_deformable_detr import DeformableDetrMLPPredictionHead
from transformers.models.grounding_dino.modeling_grounding_dino import GroundingDinoMLPPredictionHead
from transformers.models.mm_grounding_dino.modeling_mm_grounding_dino import MMGroundingDinoMLPPredictionHead
for name, cls in [("conditional_detr", ConditionalDetrMLPPredictionHead), ("dab_detr", DabDetrMLP), ("deformable_detr", DeformableDetrMLPPredictionHead), ("grounding_dino", GroundingDinoMLPPredictionHead), ("mm_grounding_dino", MMGroundingDinoMLPPredictionHead)]:
    def f(cls=cls):
        head = cls(16, 16, 4, 3)
        hs = torch.randn(2, 5, 16, requires_grad=True)
        ref = torch.randn(2, 5, 2, requires_grad=True)
        tmp = head(hs)
        tmp[..., :2] += ref           # the flagged line's shape
        return tmp.sigmoid().sum()
    try_backward(name + " MLP head then `tmp[..., :2] += ref`", f)
