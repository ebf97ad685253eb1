import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tiny.py')).read())
from transformers import MambaConfig, MambaModel, Mamba2Config, Mamba2Model, FalconMambaConfig, FalconMambaModel
for name, C, M in [("mamba", MambaConfig, MambaModel), ("mamba2", Mamba2Config, Mamba2Model), ("falcon_mamba", FalconMambaConfig, FalconMambaModel)]:
    def f(C=C, M=M):
        kw = dict(hidden_size=32, num_hidden_layers=2, vocab_size=64, state_size=8, rescale_prenorm_residual=True)
        if C is Mamba2Config: kw.update(num_heads=4, head_dim=16, n_groups=1, expand=2, chunk_size=8)
        m = M(C(**kw)); m.train()
        return m(input_ids=torch.randint(0, 64, (2, 8))).last_hidden_state.sum()
    try_backward(name + " init (rescale_prenorm_residual=True) + train forward/backward", f)
