import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tiny.py')).read())
from transformers import MambaConfig, MambaForCausalLM, LayoutLMv3Config, LayoutLMv3Model
def mamba_step():
    m = MambaForCausalLM(MambaConfig(hidden_size=32, num_hidden_layers=2, vocab_size=64, state_size=8)); m.train()
    ids = torch.randint(0, 64, (2, 5))
    out = m(input_ids=ids[:, :4], use_cache=True)
    cache = out.past_key_values if getattr(out, "past_key_values", None) is not None else out.cache_params
    kw = {"past_key_values": cache} if getattr(out, "past_key_values", None) is not None else {"cache_params": cache}
    out2 = m(input_ids=ids[:, 4:5], use_cache=True, **kw)
    return out2.logits.sum() + out.logits.sum()
#try_backward("mamba cached one-token step with grad on (torch fallback of selective_state_update)", mamba_step)
def layout():
    cfg = LayoutLMv3Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, vocab_size=100, input_size=32, patch_size=16, has_relative_attention_bias=True, has_spatial_attention_bias=True, coordinate_size=4, shape_size=8, rel_pos_bins=8, max_rel_pos=16, rel_2d_pos_bins=8, max_rel_2d_pos=32, visual_embed=False)
    m = LayoutLMv3Model(cfg); m.train()
    ids = torch.randint(0, 100, (2, 6)); bbox = torch.randint(0, 500, (2, 6, 4)); bbox[..., 2:] += bbox[..., :2]
    return m(input_ids=ids, bbox=bbox.clamp(max=1000)).last_hidden_state.sum()
try_backward("layoutlmv3 train with relative+spatial attention bias", layout)
