import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tiny.py')).read())
import transformers.models.mamba.modeling_mamba as mm
from transformers import MambaConfig, MambaForCausalLM
orig = mm.mamba_selective_state_update
calls = []
src = mm.mamba_selective_state_update
print("wrapped:", type(src), getattr(src, "__wrapped__", None))
def mamba_step():
    m = MambaForCausalLM(MambaConfig(hidden_size=32, num_hidden_layers=2, vocab_size=64, state_size=8)); m.train()
    ids = torch.randint(0, 64, (2, 5))
    out = m(input_ids=ids[:, :4], use_cache=True)
    cache = out.past_key_values if getattr(out, "past_key_values", None) is not None else out.cache_params
    kw = {"cache": cache}
    import sys
    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "mamba_selective_state_update":
            calls.append(frame.f_code.co_filename.split("/")[-1] + ":" + str(frame.f_lineno))
        return None
    sys.setprofile(lambda f, e, a: tracer(f, e, a))
    out2 = m(input_ids=ids[:, 4:5], use_cache=True, **kw)
    sys.setprofile(None)
    print("calls:", calls[:3], len(calls))
    return out2.logits.sum() + out.logits.sum()
try_backward("mamba cached step", mamba_step)
