import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tiny.py')).read())
from transformers.models.doge.configuration_doge import DogeConfig
from transformers.models.doge.modeling_doge import DogeModel
def doge():
    cfg = DogeConfig(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                     is_moe=True, num_experts=16, num_experts_per_tok=2, norm_topk_prob=True, max_position_embeddings=64)
    m = DogeModel(cfg).train()
    return m(input_ids=torch.randint(0, 128, (2, 8))).last_hidden_state.sum()
try_backward("doge moe norm_topk_prob=True train", doge)
from transformers.models.embedding_gemma2.configuration_embedding_gemma2 import EmbeddingGemma2TextConfig
from transformers.models.embedding_gemma2.modeling_embedding_gemma2 import EmbeddingGemma2TextModel
def eg2():
    cfg = shrink(EmbeddingGemma2TextConfig())
    for k in ("hidden_size_per_layer_input",):
        if hasattr(cfg, k): setattr(cfg, k, 8)
    m = EmbeddingGemma2TextModel(cfg).train()
    return m(input_ids=torch.randint(0, 128, (2, 8))).last_hidden_state.sum()
try_backward("embedding_gemma2 text model train", eg2)
from transformers.models.sam2_video.configuration_sam2_video import Sam2VideoPromptEncoderConfig
from transformers.models.sam2_video.modeling_sam2_video import Sam2VideoPromptEncoder
pe = Sam2VideoPromptEncoder(Sam2VideoPromptEncoderConfig(hidden_size=32, image_size=64, patch_size=16))
boxes = torch.tensor([[[1., 2., 30., 40.]]])
def grad_mode():
    return pe._embed_boxes(boxes).sum()
try_backward("sam2_video _embed_boxes in grad mode", grad_mode)
try:
    with torch.inference_mode():
        e = pe._embed_boxes(boxes)
    print("sam2_video _embed_boxes under inference_mode => OK", e.is_inference())
except Exception as ex: print("sam2_video _embed_boxes under inference_mode => raised", ex)
