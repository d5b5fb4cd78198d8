"""Batches of sequences of different lengths, as ``torch.nn.utils.rnn``.

A batch of names ``["ada", "bo", "eve"]`` has sequences of lengths 3, 2 and 3. Two ways to put
them in one tensor:

* **padding** (``pad_sequence``): append filler (``padding_value``) until all are as long as the
  longest, giving ``(T, B, *)`` (or ``(B, T, *)`` with ``batch_first``). Simple, but a recurrent
  net then also runs over the filler, and the filler changes its final state and its loss unless
  masked.
* **packing** (``pack_padded_sequence``, ``pack_sequence``): sort the sequences by length (longest
  first) and store, time step after time step, only the real elements::

      time 0: a b e    time 1: d o v    time 2: a e        data = [a b e d o v a e]
                                                           batch_sizes = [3, 3, 2]

  ``batch_sizes[t]`` sequences are still running at step ``t``; because they are sorted, they
  are the first ``batch_sizes[t]`` ones. An ``RNN``/``GRU``/``LSTM`` given a ``PackedSequence``
  updates at step ``t`` only those rows, so each sequence stops exactly at its own end.
  ``sorted_indices`` remembers the sort (``unsorted_indices`` undoes it), so results come back in
  the caller's order.

Every function here is built from indexing and ``cat``, so gradients flow through packing,
padding and unpacking for free (to the real elements; filler gets none).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Iterable, Sequence

import numpy as np

from ...tensor.functions import cat
from ...tensor.tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]

_PackedSequenceBase = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """A batch of variable-length sequences, packed time step by time step (see the module docstring).

    Attributes:
        data: ``(sum of lengths, *)``, the real elements: first every sequence's step 0, then every
            step 1 of the sequences that are that long, ...
        batch_sizes: int64 ``(T,)``, how many sequences are still running at each step (non-increasing).
        sorted_indices: int64 ``(B,)`` or None: ``data``'s sequence ``k`` is the caller's sequence
            ``sorted_indices[k]`` (None when the caller's order was already sorted).
        unsorted_indices: the inverse permutation of ``sorted_indices``, or None.

    Made by ``pack_padded_sequence`` or ``pack_sequence``, not by hand (as in PyTorch); the
    constructor fills in ``unsorted_indices`` from ``sorted_indices`` when it is not given.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> "PackedSequence":
        if batch_sizes is None:  # PyTorch also accepts PackedSequence((data, batch_sizes))
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("PackedSequence: expected data to be a list or tuple of length 2 "
                                     "(data, batch_sizes) when batch_sizes is not given")
            data, batch_sizes = data
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, dtype: Any) -> "PackedSequence":
        """The same packing with ``data`` cast to ``dtype``."""
        return type(self)(self.data.to(dtype), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def float(self) -> "PackedSequence":
        return self.to(np.float32)

    def double(self) -> "PackedSequence":
        return self.to(np.float64)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation of ``0..n-1`` (None stays None): ``out[permutation[i]] = i``."""
    if permutation is None:
        return None
    p = np.asarray(getattr(permutation, "data", permutation))
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return Tensor._constant(out)


def _lengths_array(lengths: Any, op: str) -> np.ndarray:
    values = np.asarray(getattr(lengths, "data", lengths))
    if values.ndim != 1 or (values.size and values.dtype.kind not in "iu"):
        raise RuntimeError(f"{op}: lengths must be a 1-D list or tensor of integers, got {values!r}")
    return values.astype(np.int64)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` if ``batch_first``) whose sequence ``b`` has
    ``lengths[b]`` real steps; the rest is ignored.

    Args:
        input: the padded batch, at least 2-D.
        lengths: a list or 1-D int tensor of ``B`` lengths, each in ``1..T``.
        enforce_sorted: require ``lengths`` in decreasing order (then ``sorted_indices`` is None);
            with False the batch is sorted here (stably, longest first) and the permutation kept.

    Returns:
        a ``PackedSequence``; its ``data`` is differentiable with respect to ``input``.

    Raises:
        RuntimeError: ``len(lengths) != B``, a length is not in ``1..T``, or ``enforce_sorted``
            and the lengths are not decreasing (as PyTorch).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"pack_padded_sequence: input must have at least 2 dimensions (T, B, *), "
                           f"got shape {input.shape}")
    lengths_np = _lengths_array(lengths, "pack_padded_sequence")
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else input.shape[:2]
    if enforce_sorted and np.any(np.diff(lengths_np) > 0):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
                           "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if lengths_np.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths_np.size} "
                           f"(batch_size={batch})")
    if lengths_np.size and lengths_np.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if lengths_np.size and lengths_np.max() > steps:
        raise RuntimeError(f"pack_padded_sequence: a sequence of length {lengths_np.max()} does not fit the input "
                           f"of shape {input.shape}, whose time dimension has {steps} steps")
    if enforce_sorted:
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-lengths_np, kind="stable")  # longest first; ties keep the caller's order
        sorted_indices = Tensor._constant(order.astype(np.int64))
    sorted_lengths = lengths_np[order]
    batch_sizes = (sorted_lengths[None, :] > np.arange(sorted_lengths[0] if batch else 0)[:, None]).sum(axis=1)
    # Step t holds the first batch_sizes[t] sorted sequences: (time, batch) pairs in packed order.
    time_idx = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    batch_idx = order[np.concatenate([np.arange(n) for n in batch_sizes])] if batch_sizes.size \
        else np.zeros(0, np.int64)
    data = input[batch_idx, time_idx] if batch_first else input[time_idx, batch_idx]
    return PackedSequence(data, Tensor._constant(batch_sizes.astype(np.int64)), sorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo packing: ``(padded, lengths)``, with the padded batch ``(T, B, *)`` (``(B, T, *)`` if
    ``batch_first``) in the caller's original order and ``lengths`` an int64 tensor ``(B,)``.

    Args:
        total_length: pad to this many steps instead of the longest sequence's length (useful to
            get back the exact shape that was packed).

    Raises:
        ValueError: ``total_length`` is shorter than the longest sequence.
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}")
    data, batch_sizes_t, _, unsorted = sequence
    batch_sizes = np.asarray(batch_sizes_t.data, dtype=np.int64)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0]) if batch_sizes.size else 0
    # Row of `data` for every (time, sorted batch) slot; the empty slots read one extra filler row.
    rows = np.full((steps, batch), data.shape[0], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)])
    for t, n in enumerate(batch_sizes):
        rows[t, :n] = np.arange(offsets[t], offsets[t] + n)
    lengths = (rows < data.shape[0]).sum(axis=0)
    if unsorted is not None:  # back to the caller's order
        rows, lengths = rows[:, unsorted.data], lengths[unsorted.data]
    filler = Tensor._constant(np.full((1,) + data.shape[1:], padding_value, dtype=data.dtype))
    padded = cat([data, filler])[rows.T if batch_first else rows]
    return padded, Tensor._constant(lengths.astype(np.int64))


def pad_sequence(sequences: Sequence[Tensor] | Tensor, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` if ``batch_first``), ``T = max L_i``,
    filling the missing steps with ``padding_value`` on the right (or the left, ``padding_side="left"``).

    Raises:
        RuntimeError: no sequences, trailing shapes that differ, or an unknown ``padding_side``.
    """
    if isinstance(sequences, Tensor):
        sequences = list(sequences)  # a tensor is a batch of sequences along its first dimension
    elif not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: sequence {i} is a {type(s).__name__}, expected a Tensor")
        if s.ndim == 0 or s.shape[1:] != sequences[0].shape[1:]:
            raise RuntimeError(f"pad_sequence: sequence {i} has shape {s.shape} but sequence 0 has shape "
                               f"{sequences[0].shape}; all must be (L, *) with the same trailing dimensions")
    lengths = np.array([s.shape[0] for s in sequences])
    steps, total = int(lengths.max()), int(lengths.sum())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    rows = np.full((steps, len(sequences)), total, dtype=np.int64)  # `total` = the filler row
    for b, (start, n) in enumerate(zip(starts, lengths)):
        first = 0 if padding_side == "right" else steps - n
        rows[first:first + n, b] = np.arange(start, start + n)
    trailing = sequences[0].shape[1:]
    filler = Tensor._constant(np.full((1,) + trailing, padding_value, dtype=sequences[0].dtype))
    return cat(list(sequences) + [filler])[rows.T if batch_first else rows]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)``: ``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The inverse of ``pad_sequence``: the list of sequences ``(lengths[b], *)``."""
    lengths_np = _lengths_array(lengths, "unpad_sequence")
    return [padded_sequences[b, :n] if batch_first else padded_sequences[:n, b] for b, n in enumerate(lengths_np)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of ``pack_sequence``: the list of sequences, in the caller's order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
