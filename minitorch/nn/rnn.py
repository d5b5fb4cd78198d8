"""Recurrent layers, as ``torch.nn``: ``RNNCell GRUCell LSTMCell`` (one time step) and ``RNN GRU LSTM``
(whole sequences: several layers, both directions, packed variable-length batches).

A recurrent net reads a sequence ``x_1 .. x_T`` one step at a time and carries a hidden state
``h_t`` from step to step, computed by the *same* cell with the *same* weights at every step:

* Elman RNN:  ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (or relu);
* GRU (Cho et al., 2014), PyTorch's gate order r, z, n::

      r = σ(W_ir x + b_ir + W_hr h + b_hr)            reset gate
      z = σ(W_iz x + b_iz + W_hz h + b_hz)            update gate
      n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   candidate
      h' = (1 - z) ⊙ n + z ⊙ h

* LSTM (Hochreiter & Schmidhuber, 1997, with the forget gate of Gers et al., 2000), gate order
  i, f, g, o::

      i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(...)   g = tanh(...)   o = σ(...)
      c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')   (then h' = W_hr h' with proj_size)

The gate weights are stacked in one matrix per input, in that order (``weight_ih`` is
``(3H, in)`` for the GRU, ``(4H, in)`` for the LSTM), with PyTorch's parameter names
(``weight_ih_l0``, ``bias_hh_l1_reverse``, ...), shapes and initialisation
(``U(-1/sqrt(H), 1/sqrt(H))`` for every parameter), so state_dicts load into PyTorch.

Everything is composed from tensor ops (``F.linear``, slicing, ``sigmoid``, ``tanh``, ``cat``,
``stack``) with a Python loop over time, so autograd differentiates through time for free:
backpropagation through time *is* ordinary backprop on the unrolled graph, and because every
step uses the same weights their gradients add up (lesson 03's accumulation).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Sequence

import numpy as np

from ..tensor.dtypes import DEFAULT_FLOAT
from ..tensor.functions import cat, stack
from ..tensor.tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

__all__ = ["RNNCellBase", "RNNCell", "GRUCell", "LSTMCell", "RNNBase", "RNN", "GRU", "LSTM",
           "rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell"]

State = tuple[Tensor, ...]  # (h,) for RNN and GRU, (h, c) for LSTM


# ---------------------------------------------------------------------------- one time step
def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """``tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)``: input ``(N, in)``, hx ``(N, H)`` -> ``(N, H)``."""
    return (F.linear(input, w_ih, b_ih) + F.linear(hx, w_hh, b_hh)).tanh()


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """``relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)``: input ``(N, in)``, hx ``(N, H)`` -> ``(N, H)``."""
    return (F.linear(input, w_ih, b_ih) + F.linear(hx, w_hh, b_hh)).relu()


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """One GRU step (PyTorch's formulas, gate order r, z, n; see the module docstring):
    input ``(N, in)``, hx ``(N, H)``, w_ih ``(3H, in)``, w_hh ``(3H, H)`` -> ``(N, H)``."""
    hidden = hx.shape[-1]
    gi = F.linear(input, w_ih, b_ih)  # (N, 3H): the input's share of the three gates
    gh = F.linear(hx, w_hh, b_hh)     # (N, 3H): the hidden state's share
    r = (gi[..., :hidden] + gh[..., :hidden]).sigmoid()
    z = (gi[..., hidden:2 * hidden] + gh[..., hidden:2 * hidden]).sigmoid()
    n = (gi[..., 2 * hidden:] + r * gh[..., 2 * hidden:]).tanh()  # r gates the hidden part, bias included
    return n + z * (hx - n)  # = (1 - z) * n + z * h, one op fewer


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, w_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step (gate order i, f, g, o): input ``(N, in)``, ``hx = (h, c)`` with h ``(N, H_out)``
    and c ``(N, H)``, w_ih ``(4H, in)``, w_hh ``(4H, H_out)``, optional projection w_hr ``(H_out, H)``
    -> ``(h', c')``."""
    h, c = hx
    hidden = c.shape[-1]
    gates = F.linear(input, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (N, 4H)
    i = gates[..., :hidden].sigmoid()                  # input gate: how much of g to write
    f = gates[..., hidden:2 * hidden].sigmoid()        # forget gate: how much of c to keep
    g = gates[..., 2 * hidden:3 * hidden].tanh()       # the candidate values
    o = gates[..., 3 * hidden:].sigmoid()              # output gate: how much of the cell to show
    c_next = f * c + i * g
    h_next = o * c_next.tanh()
    if w_hr is not None:
        h_next = F.linear(h_next, w_hr)
    return h_next, c_next


# ---------------------------------------------------------------------------- cells
def _check_size(n: Any, name: str, where: str, allow_zero: bool = False) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"{name} should be of type int, got: {type(n).__name__}")
    if n < 0 or (n == 0 and not allow_zero):
        raise ValueError(f"{where}: {name} must be greater than zero, got {n}")
    return int(n)


class RNNCellBase(Module):
    """What the three cells share: ``weight_ih`` ``(chunks*H, input_size)``, ``weight_hh``
    ``(chunks*H, H)``, ``bias_ih`` and ``bias_hh`` ``(chunks*H,)`` (absent with ``bias=False``),
    all initialised from ``U(-1/sqrt(H), 1/sqrt(H))``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = _check_size(input_size, "input_size", name, allow_zero=True)
        self.hidden_size = _check_size(hidden_size, "hidden_size", name, allow_zero=True)
        self.bias = bias
        dtype = np.dtype(dtype or DEFAULT_FLOAT)
        gates = num_chunks * self.hidden_size
        self.weight_ih = Parameter(np.empty((gates, self.input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((gates, self.hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(np.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(np.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))`` (PyTorch's rule)."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _prepare(self, input: Tensor, states: Sequence[Tensor | None], labels: Sequence[str]) -> tuple[Tensor, list[Tensor], bool]:
        """Check the input and states; add the batch dimension to unbatched ones; zeros for missing states."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        for label, state in zip(labels, states):
            if state is not None and state.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {state.ndim}D instead")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {x.shape[1]} expected "
                               f"{self.input_size} (input shape {input.shape})")
        if x.dtype != self.weight_ih.dtype:
            raise RuntimeError(f"{name}: input dtype {x.dtype} does not match weight dtype {self.weight_ih.dtype}")
        out = []
        for k, (label, state) in enumerate(zip(labels, states)):
            if state is None:
                out.append(Tensor._constant(np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype)))
                continue
            if state.ndim != input.ndim:
                raise RuntimeError(f"{name}: input is {input.ndim}-D but {label} is {state.ndim}-D (shape "
                                   f"{state.shape}); both must be batched (N, ...) or both unbatched")
            s = state if batched else state.unsqueeze(0)
            if s.shape[0] != x.shape[0]:
                raise RuntimeError(f"{name}: Input batch size {x.shape[0]} doesn't match hidden{k} batch size "
                                   f"{s.shape[0]} (input {input.shape}, {label} {state.shape})")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"{name}: hidden{k} has inconsistent hidden_size: got {s.shape[1]}, expected "
                                   f"{self.hidden_size} ({label} shape {state.shape})")
            out.append(s)
        return x, out, batched


class RNNCell(RNNCellBase):
    """One Elman RNN step, ``h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)`` (or ``relu``).

    ``cell(input, hx=None)``: input ``(N, input_size)`` or unbatched ``(input_size,)``; hx
    ``(N, hidden_size)`` / ``(hidden_size,)``, zeros when None. Returns h' of hx's shape.

    Raises:
        ValueError: unknown ``nonlinearity``; input or hx not 1-D or 2-D.
        RuntimeError: a size or batch size that does not match (the message gives the shapes).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, [hx], ["hidden"])
        cell = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        out = cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)


class GRUCell(RNNCellBase):
    """One GRU step (gate order r, z, n; see the module docstring).

    ``cell(input, hx=None)``: input ``(N, input_size)`` or ``(input_size,)``; hx ``(N, hidden_size)``
    or ``(hidden_size,)``, zeros when None. Returns h'. Parameters: ``weight_ih`` ``(3H, input_size)``,
    ``weight_hh`` ``(3H, H)``, ``bias_ih``/``bias_hh`` ``(3H,)``.

    Raises: as ``RNNCell``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, [hx], ["hidden"])
        out = gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gate order i, f, g, o; see the module docstring).

    ``cell(input, hx=None)`` with ``hx = (h, c)``, each ``(N, hidden_size)`` or ``(hidden_size,)``
    (zeros when None); returns ``(h', c')``. Parameters: ``weight_ih`` ``(4H, input_size)``,
    ``weight_hh`` ``(4H, H)``, ``bias_ih``/``bias_hh`` ``(4H,)``.

    Raises: as ``RNNCell``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input: Tensor, hx: Sequence[Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c), got {type(hx).__name__}")
        x, (h, c), batched = self._prepare(input, [None, None] if hx is None else list(hx), ["hx[0]", "hx[1]"])
        h_next, c_next = lstm_cell(x, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h_next, c_next) if batched else (h_next.squeeze(0), c_next.squeeze(0))


# ---------------------------------------------------------------------------- whole sequences
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


class RNNBase(Module):
    """What ``RNN``, ``GRU`` and ``LSTM`` share: the stack of layers and directions, the checks, and
    the time loop (packed or padded). Use the subclasses.

    Args:
        mode: ``"RNN_TANH"``, ``"RNN_RELU"``, ``"GRU"`` or ``"LSTM"``.
        input_size: features of each input step ``x_t``.
        hidden_size: features of the hidden state ``h_t``.
        num_layers: stacked recurrent layers; layer ``k + 1`` reads layer ``k``'s outputs.
        bias: with False there are no ``bias_ih_l*`` / ``bias_hh_l*``.
        batch_first: input and output are ``(N, T, *)`` instead of ``(T, N, *)`` (the states are
            ``(layers * directions, N, H)`` either way, as in PyTorch).
        dropout: dropout probability on the outputs of every layer but the last (training mode only).
        bidirectional: a second set of layers reads the sequence backwards (parameters with the
            ``_reverse`` suffix); outputs are the two directions concatenated, ``2 * H`` features.
        proj_size: (LSTM only) project h to ``proj_size`` features with ``weight_hr_l*``.
        dtype: the parameters' dtype (float32 by default).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 dtype: Any = None) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                          f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)
        for flag, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{flag} should be of type bool, got: {type(value).__name__}")
        name = type(self).__name__
        self.mode = mode
        self.input_size = _check_size(input_size, "input_size", name)
        self.hidden_size = _check_size(hidden_size, "hidden_size", name)
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        dtype = np.dtype(dtype or DEFAULT_FLOAT)
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []  # per (layer, direction): the names, in PyTorch's order
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {f"weight_ih_{suffix}": (gate_size, layer_input), f"weight_hh_{suffix}": (gate_size, real_hidden)}
                if bias:
                    shapes.update({f"bias_ih_{suffix}": (gate_size,), f"bias_hh_{suffix}": (gate_size,)})
                if proj_size > 0:
                    shapes[f"weight_hr_{suffix}"] = (proj_size, hidden_size)
                for pname, shape in shapes.items():
                    setattr(self, pname, Parameter(np.empty(shape, dtype=dtype)))
                self._flat_weights_names.extend(shapes)
                self._all_weights.append(list(shapes))
        self.reset_parameters()

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each (layer, direction), in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch uses it to lay the weights out in one block for cuDNN; there is no
        such layout here. Kept so that code written for PyTorch runs unchanged."""

    def reset_parameters(self) -> None:
        """Every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))`` (PyTorch's rule)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        """Run the whole sequence; see the subclasses for the shapes. Returns ``(output, h_n)``
        (``(output, (h_n, c_n))`` for the LSTM); ``output`` is a ``PackedSequence`` when ``input`` is."""
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        packed = isinstance(input, PackedSequence)
        weight_dtype = getattr(self, self._flat_weights_names[0]).dtype
        if packed:
            data, batch_sizes_t, sorted_indices, unsorted_indices = input
            batch_sizes = np.asarray(batch_sizes_t.data, dtype=np.int64)
            batched = True
            x = data
            self._check_input(x, 2, weight_dtype)
            batch = int(batch_sizes[0])
            steps = [data[int(o):int(o + n)] for o, n in zip(np.cumsum(batch_sizes) - batch_sizes, batch_sizes)]
        else:
            if not isinstance(input, Tensor):
                raise TypeError(f"{name}: expected a Tensor or PackedSequence input, got {type(input).__name__}")
            if input.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D tensor instead")
            batched = input.ndim == 3
            sorted_indices = unsorted_indices = None
            x = input if batched else input.unsqueeze(0 if self.batch_first else 1)
            if self.batch_first:
                x = x.transpose(0, 1)  # (T, N, F): time first inside
            self._check_input(x, 3, weight_dtype)
            batch = x.shape[1]
            batch_sizes = np.full(x.shape[0], batch, dtype=np.int64)
            steps = [x[t] for t in range(x.shape[0])]

        def expected(size: int) -> tuple[int, int, int]:
            return (self.num_layers * directions, batch, size)

        states = self._initial_states(hx, batched, lstm, expected(real_hidden), expected(self.hidden_size),
                                      x.dtype, sorted_indices)

        last: list[list[Tensor]] = [[] for _ in states]  # the final state of each (layer, direction)
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                weights = self.all_weights[k]
                step = self._step_function(weights)
                state0 = tuple(s[k] for s in states)
                outs, final = _run_direction(step, steps, batch_sizes, state0, reverse=direction == 1)
                outputs.append(outs)
                for s, f in zip(last, final):
                    s.append(f)
            steps = outputs[0] if directions == 1 else [cat([a, b], dim=-1) for a, b in zip(*outputs)]
            if self.dropout and self.training and layer < self.num_layers - 1:
                steps = [F.dropout(s, self.dropout, True) for s in steps]

        finals = [stack(s, dim=0) for s in last]  # (layers * directions, N, H) each
        if unsorted_indices is not None:  # back to the caller's batch order
            finals = [f[:, unsorted_indices.data] for f in finals]
        if packed:
            output: Any = PackedSequence(cat(steps, dim=0), batch_sizes_t, sorted_indices, unsorted_indices)
        else:
            output = stack(steps, dim=0)  # (T, N, D * H)
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(1 if not self.batch_first else 0)
                finals = [f.squeeze(1) for f in finals]
        return (output, (finals[0], finals[1])) if lstm else (output, finals[0])

    def _check_input(self, x: Tensor, ndim: int, weight_dtype: np.dtype) -> None:
        if x.dtype != weight_dtype:
            raise ValueError(f"{type(self).__name__} input dtype ({x.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or convert model")
        if x.ndim != ndim:
            raise RuntimeError(f"{type(self).__name__}: input must have {ndim} dimensions, got {x.ndim}")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{type(self).__name__}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]} (input shape {x.shape})")

    def _initial_states(self, hx: Any, batched: bool, lstm: bool, h_shape: tuple[int, int, int],
                        c_shape: tuple[int, int, int], dtype: np.dtype, sorted_indices: Tensor | None) -> list[Tensor]:
        """The initial states as 3-D tensors in the packed (sorted) batch order: [h0] or [h0, c0]."""
        name = type(self).__name__
        if hx is None:
            shapes = [h_shape, c_shape] if lstm else [h_shape]
            return [Tensor._constant(np.zeros(shape, dtype=dtype)) for shape in shapes]
        if lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
            given, labels, shapes = list(hx), ["hidden[0]", "hidden[1]"], [h_shape, c_shape]
        else:
            if not isinstance(hx, Tensor):
                raise TypeError(f"{name}: hx must be a Tensor, got {type(hx).__name__}")
            given, labels, shapes = [hx], ["hidden"], [h_shape]
        wanted = 3 if batched else 2
        if any(h.ndim != wanted for h in given):
            dims = ", ".join(f"{h.ndim}-D" for h in given)
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(f"{name}: For {kind} input, hx should also be {wanted}-D but got ({dims}) tensor(s)")
        out = []
        for h, label, shape in zip(given, labels, shapes):
            h3 = h if batched else h.unsqueeze(1)
            if h3.shape != shape:
                raise RuntimeError(f"{name}: Expected {label} size {shape}, got {list(h3.shape)}")
            out.append(h3 if sorted_indices is None else h3[:, sorted_indices.data])
        return out

    def _step_function(self, weights: list[Parameter]) -> Callable[[Tensor, State], State]:
        """The cell for one (layer, direction), as ``step(x_t, state) -> state``."""
        w_ih, w_hh = weights[0], weights[1]
        b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
        if self.mode == "LSTM":
            w_hr = weights[-1] if self.proj_size > 0 else None
            return lambda x, s: lstm_cell(x, s, w_ih, w_hh, b_ih, b_hh, w_hr)
        cell = {"RNN_TANH": rnn_tanh_cell, "RNN_RELU": rnn_relu_cell, "GRU": gru_cell}[self.mode]
        return lambda x, s: (cell(x, s[0], w_ih, w_hh, b_ih, b_hh),)


def _run_direction(step: Callable[[Tensor, State], State], steps: list[Tensor], batch_sizes: np.ndarray,
                   state0: State, reverse: bool) -> tuple[list[Tensor], State]:
    """Unroll one layer in one direction over time.

    ``steps[t]`` holds the inputs of the ``batch_sizes[t]`` sequences still running at step ``t``
    (the first ones: a packed batch is sorted longest first; a padded batch has all ``N`` every
    step). Returns the output ``h`` of every step and the final state of every sequence: forwards,
    a sequence's state stops changing after its last step; backwards, a sequence starts (from its
    ``state0`` row) at its own last step.
    """
    outputs: list[Tensor] = [None] * len(steps)  # type: ignore[list-item]
    full = state0[0].shape[0]
    if not reverse:
        state = state0
        for t, x_t in enumerate(steps):
            n = int(batch_sizes[t])
            running = state if n == full else tuple(s[:n] for s in state)
            new = step(x_t, running)
            outputs[t] = new[0]
            # the rows past n have finished: their state is final and stays as it is
            state = new if n == full else tuple(cat([a, s[n:]]) for a, s in zip(new, state))
        return outputs, state
    state = None
    for t in range(len(steps) - 1, -1, -1):
        n = int(batch_sizes[t])
        if state is None:
            running = tuple(s[:n] for s in state0) if n < full else state0
        elif state[0].shape[0] < n:  # more sequences start here, at their last step
            have = state[0].shape[0]
            running = tuple(cat([a, s[have:n]]) for a, s in zip(state, state0))
        else:
            running = state
        state = step(steps[t], running)
        outputs[t] = state[0]
    return outputs, state  # at t = 0 every sequence is running


class RNN(RNNBase):
    """A multi-layer Elman RNN: ``h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`` (or relu).

    ``rnn(input, hx=None) -> (output, h_n)``:

    * input ``(T, N, input_size)`` (``(N, T, input_size)`` with ``batch_first``), unbatched
      ``(T, input_size)``, or a ``PackedSequence``;
    * hx ``(num_layers * D, N, hidden_size)`` (unbatched ``(num_layers * D, hidden_size)``), zeros
      when None; ``D = 2`` if bidirectional else 1;
    * output ``(T, N, D * hidden_size)`` (batch_first: ``(N, T, ...)``; packed in, packed out): the
      last layer's ``h_t`` at every step;
    * h_n: the final state of every layer and direction, like hx.

    Parameters ``weight_ih_l{k}`` ``(H, input_size or D*H)``, ``weight_hh_l{k}`` ``(H, H)``,
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` ``(H,)``, and ``..._reverse`` for the backward direction.

    Raises:
        ValueError: bad constructor arguments (as PyTorch); input not 2-D/3-D; input dtype differs from the weights'.
        RuntimeError: input_size or hidden-state shape mismatch (the message gives expected and actual shapes).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype: Any = None, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN got unexpected keyword arguments {sorted(kwargs)}")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, dtype)
        self.nonlinearity = nonlinearity


class GRU(RNNBase):
    """A multi-layer GRU (gate order r, z, n; formulas in the module docstring). Shapes and
    arguments as ``RNN``; the weights stack the three gates: ``weight_ih_l{k}`` ``(3H, in)``,
    ``weight_hh_l{k}`` ``(3H, H)``, biases ``(3H,)``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, dtype: Any = None,
                 **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU got unexpected keyword arguments {sorted(kwargs)}")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         dtype)


class LSTM(RNNBase):
    """A multi-layer LSTM (gate order i, f, g, o; formulas in the module docstring).

    ``lstm(input, (h_0, c_0)=None) -> (output, (h_n, c_n))``; shapes as ``RNN``, with c of size
    ``hidden_size`` and h (and the output) of size ``proj_size`` when ``proj_size > 0``. The weights
    stack the four gates: ``weight_ih_l{k}`` ``(4H, in)``, ``weight_hh_l{k}`` ``(4H, H_out)``, biases
    ``(4H,)``, and ``weight_hr_l{k}`` ``(proj_size, H)`` with a projection.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, dtype)
