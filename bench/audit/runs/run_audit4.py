"""Audit 4 (ea53ba4): tiny runs for new in-gradient-path sample rows. CPU, train-mode forward+backward."""
import sys, os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny import *  # noqa: imports tvshim, torch, transformers, shrink, try_backward
import torch, transformers as T
import torch.nn.functional as F

def naflex_grid_sample():  # timm models/naflexvit.py:861 theta[:, 0, 2] = scale - 1
    import timm
    m = timm.create_model("naflexvit_base_patch16_parfac_gap", pretrained=False, pos_embed_use_grid_sample=True,
                          embed_dim=32, depth=1, num_heads=2, num_classes=3).train()
    orig = F.affine_grid
    def spy(theta, *a, **k):
        print("naflexvit theta: dtype", theta.dtype, "requires_grad", theta.requires_grad)
        return orig(theta, *a, **k)
    F.affine_grid = spy
    B, N = 2, 12
    ys, xs = torch.meshgrid(torch.arange(3), torch.arange(4), indexing="ij")
    coord = torch.stack([ys.flatten(), xs.flatten()], -1).unsqueeze(0).expand(B, -1, -1).contiguous()
    print("naflexvit patch_coord dtype:", coord.dtype)
    patches = torch.randn(B, N, 16 * 16 * 3)
    out = m(dict(patches=patches, patch_coord=coord, patch_valid=torch.ones(B, N, dtype=torch.bool)))
    F.affine_grid = orig
    return out.sum()

def dac():  # dac/modeling_dac.py:337 codebook_loss += codebook_loss_i * mask (from the 2nd quantizer on)
    cfg = T.DacConfig(encoder_hidden_size=8, downsampling_ratios=[2, 2], decoder_hidden_size=16, n_codebooks=3,
                      codebook_size=16, codebook_dim=4, hidden_size=32, upsampling_ratios=[2, 2])
    m = T.DacModel(cfg).train()
    out = m(torch.randn(1, 1, 64))
    print("dac loss requires_grad:", out.loss.requires_grad)
    return out.loss

def deberta_conv():  # deberta_v2/modeling_deberta_v2.py:459 out.masked_fill_ on the conv output
    cfg = shrink(T.DebertaV2Config(), conv_kernel_size=3, relative_attention=True, position_buckets=8, max_relative_positions=16, pos_att_type=["p2c", "c2p"])
    m = T.DebertaV2Model(cfg).train()
    am = torch.ones(2, 6, dtype=torch.long); am[1, 4:] = 0
    return m(torch.randint(0, 128, (2, 6)), attention_mask=am).last_hidden_state.sum()

def ctrl():  # ctrl/modeling_ctrl.py:316 inputs_embeds *= sqrt(d)
    cfg = shrink(T.CTRLConfig(), n_embd=32, n_layer=2, n_head=2, dff=64, n_positions=64)
    return T.CTRLModel(cfg).train()(torch.randint(0, 128, (1, 6))).last_hidden_state.sum()

def led():  # led/modeling_led.py:157 query_vectors /= sqrt(head_dim)
    cfg = shrink(T.LEDConfig(), attention_window=[4, 4], max_encoder_position_embeddings=64, max_decoder_position_embeddings=64)
    m = T.LEDModel(cfg).train()
    return m(torch.randint(3, 128, (1, 8)), decoder_input_ids=torch.randint(3, 128, (1, 4))).last_hidden_state.sum()

def qwen3_vl_moe_router():  # qwen3_vl_moe/modeling_qwen3_vl_moe.py:166 router_top_value /= sum
    from transformers.models.qwen3_vl_moe import modeling_qwen3_vl_moe as Q
    cfg = shrink(T.Qwen3VLMoeTextConfig(), num_experts=4, num_experts_per_tok=2, moe_intermediate_size=16)
    r = Q.Qwen3VLMoeTextTopKRouter(cfg) if hasattr(Q, "Qwen3VLMoeTextTopKRouter") else None
    x = torch.randn(5, 32, requires_grad=True)
    outs = r(x)
    print("qwen3_vl_moe router outputs requiring grad:", [o.requires_grad for o in outs if torch.is_tensor(o)])
    return sum(o.float().sum() for o in outs if torch.is_tensor(o) and o.is_floating_point())

def resnet():  # resnet/modeling_resnet.py:176 hidden_state += residual
    cfg = T.ResNetConfig(embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], layer_type="bottleneck")
    return T.ResNetModel(cfg).train()(torch.randn(1, 3, 32, 32)).last_hidden_state.sum()

if __name__ == "__main__":
    for name, fn in [("naflexvit grid_sample", naflex_grid_sample), ("dac", dac), ("deberta_v2 conv", deberta_conv),
                     ("ctrl", ctrl), ("led", led), ("qwen3_vl_moe router", qwen3_vl_moe_router), ("resnet bottleneck", resnet)]:
        try_backward(name, fn)
