import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tiny.py')).read())
from transformers.models.embedding_gemma2.configuration_embedding_gemma2 import EmbeddingGemma2TextConfig
from transformers.models.embedding_gemma2.modeling_embedding_gemma2 import EmbeddingGemma2TextModel
import inspect
def eg2():
    kw = dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=16, max_position_embeddings=64)
    sig = inspect.signature(EmbeddingGemma2TextConfig.__init__).parameters
    for k in ("hidden_size_per_layer_input", "vocab_size_per_layer_input"):
        if k in sig: kw[k] = 8 if "hidden" in k else 128
    cfg = EmbeddingGemma2TextConfig(**{k: v for k, v in kw.items() if k in sig or True})
    m = EmbeddingGemma2TextModel(cfg).train()
    return m(input_ids=torch.randint(0, 128, (2, 8))).last_hidden_state.sum()
try_backward("embedding_gemma2 text model train", eg2)
