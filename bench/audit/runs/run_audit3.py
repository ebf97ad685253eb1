"""Audit 3 (5e71667): tiny runs for new in-gradient-path findings. CPU, train-mode forward+backward."""
import sys, os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny import *  # noqa: imports tvshim, torch, transformers, shrink, try_backward
import torch, transformers as T

def rwkv():  # rwkv/modeling_rwkv.py:282 state[4][:, :, layer_id] = layer_state[2]
    cfg = shrink(T.RwkvConfig(), hidden_size=32, num_hidden_layers=2, attention_hidden_size=32, intermediate_size=64, vocab_size=128, context_length=16)
    m = T.RwkvModel(cfg).train()
    out = m(torch.randint(0, 128, (1, 4)), use_cache=True)
    print("rwkv state[4] requires_grad:", out.state[4].requires_grad)
    return out.last_hidden_state.sum()

def rwkv_anomaly():
    with torch.autograd.detect_anomaly():
        rwkv().backward()

def pegasus_x_pe():  # pegasus_x/modeling_pegasus_x.py:119-120
    from transformers.models.pegasus_x.modeling_pegasus_x import PegasusXSinusoidalPositionalEmbedding as PE
    x = torch.randn(2, 5, 16, requires_grad=True)
    pe = PE(16)(x)
    print("pegasus_x pe.requires_grad:", pe.requires_grad, "grad_fn:", pe.grad_fn)
    return (x * pe).sum()

def hubert_mask():  # hubert/modeling_hubert.py:427 (encoder) with attention mask
    cfg = shrink(T.HubertConfig(), conv_dim=(8, 8), conv_stride=(5, 2), conv_kernel=(10, 3), num_feat_extract_layers=2, num_conv_pos_embeddings=4, num_conv_pos_embedding_groups=2, mask_time_prob=0.0)
    m = T.HubertModel(cfg).train()
    am = torch.ones(2, 400, dtype=torch.long); am[1, 200:] = 0
    return m(torch.randn(2, 400), attention_mask=am).last_hidden_state.sum()

def eurobert_late():  # eurobert/modeling_eurobert.py:517
    cfg = shrink(T.EuroBertConfig(), classifier_pooling="late", num_labels=3, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    m = T.EuroBertForSequenceClassification(cfg).train()
    am = torch.ones(2, 6, dtype=torch.long); am[1, 4:] = 0
    return m(torch.randint(0, 128, (2, 6)), attention_mask=am).logits.sum()

def falcon_new_arch():  # falcon/modeling_falcon.py:433
    cfg = shrink(T.FalconConfig(), new_decoder_architecture=True, num_kv_heads=2, parallel_attn=True)
    m = T.FalconModel(cfg).train()
    return m(torch.randint(0, 128, (1, 6))).last_hidden_state.sum()

def nystrom():  # nystromformer/modeling_nystromformer.py:212
    cfg = shrink(T.NystromformerConfig(), conv_kernel_size=3, segment_means_seq_len=8, num_landmarks=4)
    m = T.NystromformerModel(cfg).train()
    return m(torch.randint(0, 128, (1, 8))).last_hidden_state.sum()

def zoe_layer():  # zoedepth/modeling_zoedepth.py:652 (memory_efficient branch, only reachable by passing it)
    from transformers.models.zoedepth import modeling_zoedepth as Z
    cfg = T.ZoeDepthConfig()
    print("ZoeDepthAttractorLayer default memory_efficient:", Z.ZoeDepthAttractorLayer(cfg, n_bins=4, min_depth=1e-3, max_depth=10).memory_efficient)
    return torch.zeros(1, requires_grad=True).sum()

import traceback
try:
    rwkv_anomaly()
except RuntimeError as e:
    print("rwkv anomaly:", str(e)[:300])
for name, fn in [("rwkv use_cache=True", rwkv), ("pegasus_x pe", pegasus_x_pe), ("hubert mask", hubert_mask),
                 ("eurobert late", eurobert_late), ("falcon new_arch", falcon_new_arch), ("nystromformer conv", nystrom),
                 ("zoedepth attractor", zoe_layer)]:
    try_backward(name, fn)

def rwkv_max_state_pattern():  # rwkv:282 alone: the max_state view is saved by torch.maximum (rwkv_linear_attention_cpu:185)
    state4 = torch.zeros(1, 8, 2) - 1e30
    k = torch.randn(1, 8, requires_grad=True)
    max_state = state4[:, :, 0]
    out = torch.maximum(max_state, k + 1.0)
    state4[:, :, 0] = torch.maximum(max_state - 0.5, k)
    return out.sum()

try_backward("rwkv max_state pattern (state[4] write after torch.maximum saved its view)", rwkv_max_state_pattern)
