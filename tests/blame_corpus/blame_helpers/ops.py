import torch


def scale_(t, k):
    t.mul_(k)  # <- blame:helper_scale


def centre_(t):
    t.sub_(t.mean())  # <- blame:helper_centre_leaf


def residual_out(a, b):
    return torch.add(a, b, out=a)  # <- blame:helper_out_argument


def write_row(buf, i, value):
    buf[i] = value  # <- blame:helper_index_write


def clip_weights(model, bound):
    for p in model.parameters():
        p.detach().clamp_(-bound, bound)  # <- blame:helper_detach_clamp


def reinit(module):
    if isinstance(module, torch.nn.Linear):
        torch.nn.init.constant_(module.weight, 0.5)  # <- blame:helper_apply_init


def refresh_state(state, new):
    state.copy_(new)  # <- blame:helper_state_copy


def init_leaf(w):
    w.fill_(0.1)  # <- blame:helper_leaf_fill


def bump_(t):
    t.add_(1.0)  # <- blame:helper_grad_twice


def zero_first(v):
    v.zero_()  # <- blame:helper_unbind_view
