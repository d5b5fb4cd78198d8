"""``nn.utils``, as ``torch.nn.utils``: gradient clipping and (in ``nn.utils.rnn``) padding and
packing of variable-length sequences for the recurrent layers (lesson 15).

    rnn.py        PackedSequence, pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence, ...
    clip_grad.py  clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_
"""

from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm

__all__ = ["rnn", "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]
