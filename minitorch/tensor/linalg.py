"""Products of vectors and matrices, as PyTorch: ``bmm mv dot outer addmm baddbmm trace diag
diagonal kron cross tensordot einsum`` (``mm`` and ``@`` live in aliases.py and tensor.py).

Composition first: almost all of them are ``@`` (``matmul``), ``*``, ``sum`` or an indexing op
with PyTorch's shape checks in front, so their backward is those ops'. Two have their own:
``diag`` of a vector (building a matrix), and ``einsum``, whose backward is one more einsum per
operand (below).

The products of vectors and batches (``dot mv bmm einsum tensordot``) need operands of one dtype, as in
PyTorch; ``outer``, ``kron`` and ``addmm`` promote as ``*`` and ``matmul`` do (docs/pytorch-differences.md).
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .helpers import _dim

if TYPE_CHECKING:
    from .tensor import Tensor

Number = bool | int | float


def _need(t: Any, ndim: int, op: str, what: str) -> None:
    if getattr(t, "ndim", None) != ndim:
        raise RuntimeError(f"{op}: {what} must be a {ndim}-D tensor, got shape {getattr(t, 'shape', type(t).__name__)}")


def _same_dtype(op: str, *tensors: Any) -> None:
    """PyTorch's products of vectors (dot, mv, bmm, einsum, tensordot) need one dtype, not bool
    (einsum checks bool first, the others the dtypes, as PyTorch does)."""
    dtypes = [t.dtype for t in tensors]
    bools = any(d.kind == "b" for d in dtypes) and len(tensors) > 1
    if bools and op == "einsum":
        raise TypeError(f"{op}: not implemented for bool tensors (convert with .int() or .float())")
    if any(d != dtypes[0] for d in dtypes):
        raise RuntimeError(f"{op}: expected all operands to have the same dtype, but found "
                           f"{' and '.join(map(str, dtypes))} (convert one with .to())")
    if bools:
        raise TypeError(f"{op}: not implemented for bool tensors (convert with .int() or .float())")


def _scaled_sum(product: "Tensor", input: "Tensor", beta: Number, alpha: Number, op: str) -> "Tensor":
    """``beta * input + alpha * product``; with ``beta == 0`` the input is ignored (NaN in it is
    not propagated) but still gets a zero gradient, as in PyTorch."""
    from .tensor import broadcast_error

    try:
        np.broadcast_shapes(input.shape, product.shape)
    except ValueError:
        raise RuntimeError(broadcast_error(op, input.shape, product.shape)) from None
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        zero = input._from_op(np.zeros(input.shape, input.dtype), (input,), "mul(0)", lambda g: (np.zeros_like(g),))
        return scaled + zero
    return scaled + (input if beta == 1 else input * beta)


class LinalgOps:
    """Matrix and vector products of ``Tensor`` (a mixin: ``Tensor`` inherits them)."""

    __slots__ = ()

    def bmm(self, mat2: "Tensor") -> "Tensor":
        """Batched matrix product ``(b, n, m) @ (b, m, p) -> (b, n, p)``; no broadcasting.

        Raises:
            RuntimeError: an operand is not 3-D, the batch sizes or the inner sizes differ.
        """
        _need(self, 3, "bmm", "batch1")
        _need(mat2, 3, "bmm", "batch2")
        _same_dtype("bmm", self, mat2)
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(f"bmm: batch1 and batch2 must have the same number of batches, got shapes {self.shape} "
                               f"and {mat2.shape}")
        return self @ mat2

    def mv(self, vec: "Tensor") -> "Tensor":
        """Matrix times vector: ``(n, m) @ (m,) -> (n,)``. RuntimeError for other ranks."""
        _need(self, 2, "mv", "input")
        _need(vec, 1, "mv", "vec")
        _same_dtype("mv", self, vec)
        return self @ vec

    def dot(self, other: "Tensor") -> "Tensor":
        """The inner product of two 1-D tensors of equal length (a 0-d tensor).

        Raises:
            RuntimeError: an operand is not 1-D, or the lengths differ.
        """
        _need(self, 1, "dot", "input")
        _need(other, 1, "dot", "other")
        _same_dtype("dot", self, other)
        if self.shape != other.shape:
            raise RuntimeError(f"dot: inconsistent tensor size, expected tensors of equal length, got {self.shape[0]} "
                               f"and {other.shape[0]} elements")
        return self @ other

    vdot = dot

    def outer(self, vec2: "Tensor") -> "Tensor":
        """The outer product of two vectors: ``(n,) x (m,) -> (n, m)``, ``out[i, j] = a[i] b[j]``."""
        _need(self, 1, "outer", "input")
        _need(vec2, 1, "outer", "vec2")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def addmm(self, mat1: "Tensor", mat2: "Tensor", *, beta: Number = 1, alpha: Number = 1) -> "Tensor":
        """``beta * self + alpha * (mat1 @ mat2)``, ``mat1`` ``(n, m)``, ``mat2`` ``(m, p)``, self
        broadcastable to ``(n, p)`` (a linear layer's bias + x @ W.T)."""
        _need(mat1, 2, "addmm", "mat1")
        _need(mat2, 2, "addmm", "mat2")
        return _scaled_sum(mat1 @ mat2, self, beta, alpha, "addmm")

    def addmv(self, mat: "Tensor", vec: "Tensor", *, beta: Number = 1, alpha: Number = 1) -> "Tensor":
        """``beta * self + alpha * (mat @ vec)``."""
        return _scaled_sum(mat.mv(vec), self, beta, alpha, "addmv")

    def baddbmm(self, batch1: "Tensor", batch2: "Tensor", *, beta: Number = 1, alpha: Number = 1) -> "Tensor":
        """``beta * self + alpha * bmm(batch1, batch2)``."""
        return _scaled_sum(batch1.bmm(batch2), self, beta, alpha, "baddbmm")

    def addr(self, vec1: "Tensor", vec2: "Tensor", *, beta: Number = 1, alpha: Number = 1) -> "Tensor":
        """``beta * self + alpha * outer(vec1, vec2)``."""
        return _scaled_sum(vec1.outer(vec2), self, beta, alpha, "addr")

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> "Tensor":
        """The diagonal of the matrices in dims ``dim1``, ``dim2`` (``offset`` > 0 above the main
        one), as the last dimension of the result. Composed from permute and indexing (a copy,
        where PyTorch returns a view).

        Raises:
            RuntimeError: ``dim1`` and ``dim2`` are the same dimension; IndexError: out of range.
        """
        a, b = _dim(dim1, self.ndim, "diagonal"), _dim(dim2, self.ndim, "diagonal")
        if a == b:
            raise RuntimeError(f"diagonal: dim1 and dim2 cannot be the same dimension ({dim1}, {dim2})")
        rest = [d for d in range(self.ndim) if d not in (a, b)]
        moved = self.permute(*rest, a, b)
        rows, cols = moved.shape[-2:]
        start_r, start_c = max(-offset, 0), max(offset, 0)
        length = max(0, min(rows - start_r, cols - start_c))
        r = np.arange(length) + start_r
        return moved[(Ellipsis, r, r - start_r + start_c)]

    def diag(self, diagonal: int = 0) -> "Tensor":
        """A vector's values on the ``diagonal``-th diagonal of a square matrix of zeros, or a
        matrix's ``diagonal``-th diagonal as a vector. Backward of the first (hand-written, a
        scatter into a new matrix): the gradient's values on that diagonal.

        Raises:
            RuntimeError: the input is neither 1-D nor 2-D.
        """
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {self.shape}")
        n = self.shape[0] + abs(diagonal)
        r = np.arange(self.shape[0]) + max(-diagonal, 0)
        c = r - max(-diagonal, 0) + max(diagonal, 0)
        out = np.zeros((n, n), self.dtype)
        out[r, c] = self.data
        return self._from_op(out, (self,), f"diag({diagonal})", lambda g: (g[r, c],))

    def trace(self) -> "Tensor":
        """The sum of a matrix's main diagonal (integers sum to int64). RuntimeError unless 2-D."""
        if self.data.dtype.kind == "b":
            raise TypeError("trace: not implemented for a bool tensor (convert with .int() first)")
        _need(self, 2, "trace", "input")
        return self.diagonal().sum()

    def kron(self, other: "Tensor") -> "Tensor":
        """The Kronecker product: block ``(i, j)`` of the result is ``self[i, j] * other``
        (any ranks; the smaller is padded with leading 1s). Composed from reshape and ``*``."""
        nd = max(self.ndim, other.ndim)
        a = self.reshape((1,) * (nd - self.ndim) + self.shape)
        b = other.reshape((1,) * (nd - other.ndim) + other.shape)
        a_shape = [s for n in a.shape for s in (n, 1)]
        b_shape = [s for n in b.shape for s in (1, n)]
        return (a.reshape(a_shape) * b.reshape(b_shape)).reshape(tuple(m * n for m, n in zip(a.shape, b.shape)))

    def cross(self, other: "Tensor", dim: int | None = None) -> "Tensor":
        """The cross product of 3-vectors along ``dim`` (default: the first dimension of size 3,
        as ``torch.cross``), broadcasting. Composed from index_select, ``*`` and ``-``.

        Raises:
            RuntimeError: ``dim`` does not have size 3, or the shapes do not broadcast.
        """
        from .functions import _pair
        from .tensor import broadcast_error

        a, b = _pair(self, other, "cross")
        if a.ndim != b.ndim:
            raise RuntimeError(f"cross: inputs must have the same number of dimensions, got shapes {a.shape} and "
                               f"{b.shape}")
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise RuntimeError(broadcast_error("cross", a.shape, b.shape)) from None
        a, b = a.expand(shape), b.expand(shape)
        if dim is None:
            dim = next((i for i, n in enumerate(shape) if n == 3), None)
            if dim is None:
                raise RuntimeError(f"cross: no dimension of size 3 in input of shape {shape}")
        axis = _dim(dim, len(shape), "cross")
        if shape[axis] != 3:
            raise RuntimeError(f"cross: dimension {dim} does not have size 3 (shapes {self.shape}, {other.shape})")

        def take(t: "Tensor", order: list[int]) -> "Tensor":
            return t[(slice(None),) * axis + (np.array(order),)]

        return take(a, [1, 2, 0]) * take(b, [2, 0, 1]) - take(a, [2, 0, 1]) * take(b, [1, 2, 0])

    def inner(self, other: "Tensor") -> "Tensor":
        """The sum of products over the last dimension of both (``a @ b.mT`` for matrices; a
        0-d operand multiplies). Composed from tensordot."""
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        if self.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner: last dimensions differ: {self.shape} and {other.shape}")
        return tensordot(self, other, ([self.ndim - 1], [other.ndim - 1]))

    def matrix_power(self, n: int) -> "Tensor":
        """The square matrix (or batch) multiplied by itself ``n`` times: ``n = 0`` is the
        identity, ``n < 0`` a power of the inverse. Composed from ``@`` (repeated squaring)."""
        if self.ndim < 2 or self.shape[-1] != self.shape[-2]:
            raise RuntimeError(f"matrix_power: expected a square matrix or a batch of them, got shape {self.shape}")
        if n == 0:  # the identity, which does not depend on self (gradient 0)
            eye = np.broadcast_to(np.eye(self.shape[-1], dtype=self.dtype), self.shape).copy()
            return self._from_op(eye, (self,), "matrix_power(0)", lambda g: (np.zeros_like(g),))
        base, result = (self if n > 0 else self.inverse()), None
        k = abs(n)
        while k:
            if k & 1:
                result = base if result is None else result @ base
            k >>= 1
            if k:
                base = base @ base
        return result

    def inverse(self) -> "Tensor":
        """The inverse of a square matrix (or of each in a batch), floating point. Backward
        (hand-written: no composition of our ops inverts a matrix): ``-A^-T G A^-T``.

        Raises:
            RuntimeError: not square, or singular."""
        if self.ndim < 2 or self.shape[-1] != self.shape[-2]:
            raise RuntimeError(f"inverse: expected a square matrix or a batch of them, got shape {self.shape}")
        if self.data.dtype.kind != "f":
            raise RuntimeError(f"inverse: expected a floating-point tensor, got {self.dtype}")
        try:
            out = np.linalg.inv(self.data)
        except np.linalg.LinAlgError:
            raise RuntimeError(f"inverse: the matrix (shape {self.shape}) is singular; it has no inverse") from None

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            t = np.swapaxes(out, -1, -2)
            return (-(t @ g @ t),)

        return self._from_op(out, (self,), "inverse", backward, saves_output=True)  # its backward reads out

    def det(self) -> "Tensor":
        """The determinant of a square matrix (or of each in a batch). Backward (hand-written:
        Jacobi's formula): ``g * adj(A)^T``, the adjugate computed from the SVD so that it is
        right for singular matrices too."""
        if self.ndim < 2 or self.shape[-1] != self.shape[-2]:
            raise RuntimeError(f"det: expected a square matrix or a batch of them, got shape {self.shape}")
        if self.data.dtype.kind != "f":
            raise RuntimeError(f"det: expected a floating-point tensor, got {self.dtype}")
        a = self.data
        out = np.asarray(np.linalg.det(a))

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            from .reductions import _product_of_others

            u, s, vh = np.linalg.svd(a)
            sign = np.linalg.det(u) * np.linalg.det(vh)  # A = U S Vh: adj(A) = sign Vh^T diag(prod of others) U^T
            others = _product_of_others(s, s.ndim - 1)
            adj = np.swapaxes(vh, -1, -2) @ (others[..., :, None] * np.swapaxes(u, -1, -2))
            return (g[..., None, None] * sign[..., None, None] * np.swapaxes(adj, -1, -2),)

        return self._from_op(out, (self,), "det", backward)

    @property
    def H(self) -> "Tensor":
        """The conjugate transpose of a matrix: for real tensors, ``.T`` (2-D, or 0-D)."""
        if self.ndim not in (0, 2):
            raise RuntimeError(f"H: is only supported on matrices (2-D tensors), got shape {self.shape}; use .mH")
        return self.T

    @property
    def mH(self) -> "Tensor":
        """The conjugate transpose of a batch of matrices: ``.mT`` for real tensors."""
        return self.mT

    def adjoint(self) -> "Tensor":
        return self.mT


# ---------------------------------------------------------------------- functions only
def tensordot(a: "Tensor", b: "Tensor", dims: int | Sequence[Sequence[int]] = 2) -> "Tensor":
    """Sum the products over the last ``dims`` dims of ``a`` and the first ``dims`` of ``b`` (or
    over the listed pairs ``dims=([a dims], [b dims])``). Composed: permute, reshape, matmul.

    Raises:
        RuntimeError: contracted dimensions differ in size, or ``dims`` is negative.
    """
    _same_dtype("tensordot", a, b)
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot: expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot: dims={dims} is more than the dimensions of {a.shape} or {b.shape}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da = [_dim(d, a.ndim, "tensordot") for d in da]
    db = [_dim(d, b.ndim, "tensordot") for d in db]
    if len(da) != len(db) or any(a.shape[i] != b.shape[j] for i, j in zip(da, db)):
        raise RuntimeError(f"tensordot: contracted dimensions {da} of {a.shape} and {db} of {b.shape} do not match")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da]))
    left = a.permute(*free_a, *da).reshape(int(np.prod([a.shape[d] for d in free_a])), k)
    right = b.permute(*db, *free_b).reshape(k, int(np.prod([b.shape[d] for d in free_b])))
    return (left @ right).reshape(tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))


def einsum(equation: str, *operands: Any) -> "Tensor":
    """Einstein summation, ``torch.einsum``: e.g. ``"ij,jk->ik"`` (matmul), ``"bij->bji"``,
    ``"ii->i"`` (diagonal), ``"i,i->"`` (dot), with ``...`` for leading dims; no ``->`` sums
    the letters that appear twice (the output's letters sorted). Operands are tensors (or one
    list of them). Computed by numpy's einsum.

    Backward (hand-written: one einsum per operand, which no composition of our ops gives as
    directly): the gradient of operand i is the einsum of the output gradient with the other
    operands, producing operand i's letters; letters that appear in it alone were summed away
    and are broadcast back; a repeated letter (a diagonal) is written onto that diagonal.

    Raises:
        RuntimeError: the equation does not fit the operands (numpy's reason is given).
    """
    if not isinstance(equation, str):  # the sublist format: einsum(a, [0, 1], b, [1, 2], [0, 2])
        equation, operands = _from_sublists((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum: must provide at least one operand")
    _same_dtype("einsum", *operands)
    inputs, output = _einsum_subscripts(equation.replace(" ", ""), [t.ndim for t in operands])
    arrays = [t.data for t in operands]
    if len(arrays) == 1 and arrays[0].dtype.kind in "biu" and len(set(output)) < len(set(inputs[0])):
        arrays = [arrays[0].astype(np.int64)]  # a sum of integers or bools is int64 (PyTorch's sum)
    spec = ",".join(inputs) + "->" + output
    try:
        out = np.asarray(np.einsum(spec, *arrays))
    except ValueError as e:
        raise RuntimeError(f"einsum: {equation!r} does not fit operands of shapes "
                           f"{[t.shape for t in operands]} ({e})") from None

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        grads = []
        for i, (sub, t) in enumerate(zip(inputs, operands)):
            if not t._requires_grad:
                grads.append(None)
                continue
            others = [(s, a) for j, (s, a) in enumerate(zip(inputs, arrays)) if j != i]
            seen = output + "".join(s for s, _ in others)
            letters = "".join(dict.fromkeys(c for c in sub if c in seen))
            partial = np.einsum(",".join([output] + [s for s, _ in others]) + "->" + letters, g,
                                *[a for _, a in others])
            unique = "".join(dict.fromkeys(sub))
            sizes = {c: n for c, n in zip(sub, t.shape)}
            # `letters` are `unique`'s letters in the same order, less those summed away: put those back
            full = np.broadcast_to(partial.reshape([sizes[c] if c in letters else 1 for c in unique]),
                                   [sizes[c] for c in unique])
            if unique == sub:
                grads.append(full)
            else:  # a repeated letter: write onto the diagonal (einsum's "ii->i" is a writable view)
                grad = np.zeros(t.shape, dtype=g.dtype)
                np.einsum(f"{sub}->{unique}", grad)[...] = full
                grads.append(grad)
        return tuple(grads)

    return operands[0]._from_op(out, tuple(operands), f"einsum({equation})", backward)


def _einsum_subscripts(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """The equation with ``...`` replaced by explicit letters and the implicit output spelt out."""
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(ndims):
        raise RuntimeError(f"einsum: {equation!r} has {len(inputs)} operand(s) but {len(ndims)} tensor(s) were given")
    used = set(equation)
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = max((nd - len(s.replace("...", "")) for s, nd in zip(inputs, ndims) if "..." in s), default=0)
    ell = "".join(spare[:n_ell])
    explicit = []
    for s, nd in zip(inputs, ndims):
        if "..." in s:
            k = nd - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ell - k:] if k else "")
        if len(s) != nd:
            raise RuntimeError(f"einsum: the subscripts {s!r} do not fit an operand with {nd} dimensions")
        explicit.append(s)
    if arrow:
        output = rhs.replace("...", ell)
    else:
        letters = "".join(explicit)
        output = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    return explicit, output


def _from_sublists(args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """``(a, [0, 1], b, [1, 2], [0, 2])`` -> ``("ab,bc->ac", (a, b))`` (``...`` is Ellipsis)."""
    def letters(sub: Sequence[Any]) -> str:
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)

    operands, subs = args[0:len(args) - len(args) % 2:2], args[1::2]
    equation = ",".join(letters(s) for s in subs)
    if len(args) % 2:
        equation += "->" + letters(args[-1])
    return equation, tuple(operands)


def cdist(x1: "Tensor", x2: "Tensor", p: float = 2.0) -> "Tensor":
    """The p-norm distance between each row of ``x1`` ``(*, P, M)`` and each row of ``x2``
    ``(*, R, M)``: ``(*, P, R)``. Composed from broadcasting ``-`` and ``norm`` (whose gradient
    at a zero distance is 0, as PyTorch's).

    Raises:
        RuntimeError: fewer than 2 dims, or different numbers of columns."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist: only supports at least 2-D tensors, got shapes {x1.shape} and {x2.shape}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist: X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)
