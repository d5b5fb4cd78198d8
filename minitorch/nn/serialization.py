"""Checkpoints without pickle: ``minitorch.save(obj, path)`` and ``minitorch.load(path)``.

Like ``torch.save`` / ``torch.load``, but the file cannot run code when it is loaded. PyTorch's
files are pickles, and unpickling a stranger's file can execute anything it likes. Here a
checkpoint is a numpy ``.npz`` archive holding

* one array per tensor / array (stored as ``"0"``, ``"1"``, ...), and
* ``"__minitorch__"``: a JSON text describing the structure around them -- dicts, lists, tuples,
  numbers, strings, None -- with each tensor replaced by the name of its array.

It is read with ``np.load(..., allow_pickle=False)`` and ``json.loads``: neither can run code, and
an archive that holds pickled (object) arrays is refused. What can be saved: Tensors,
Parameters, numpy arrays and scalars, Python numbers, strings, None, and dicts (also
OrderedDicts, with str/int/float/bool/None/tuple keys), lists and tuples of these, nested freely:

    minitorch.save(model.state_dict(), "model.npz")
    model.load_state_dict(minitorch.load("model.npz"))

    minitorch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 7}, "ckpt.npz")

The file is written exactly at ``path`` (numpy's habit of appending ``.npz`` is avoided).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from typing import IO, Any, Union

import numpy as np

from ..tensor.tensor import Tensor
from .parameter import Parameter

__all__ = ["save", "load"]

PathOrFile = Union[str, "os.PathLike[str]", IO[bytes]]
_MANIFEST = "__minitorch__"
_FORMAT = "minitorch-checkpoint"
_VERSION = 1


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` (e.g. a ``state_dict()``) to the path or binary file ``f``; see the module doc."""
    arrays: dict[str, np.ndarray] = {}
    manifest = {"format": _FORMAT, "version": _VERSION, "object": _encode(obj, arrays, "obj")}
    text = json.dumps(manifest)
    arrays[_MANIFEST] = np.array(text)  # a unicode string array: stored without pickle
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            np.savez(handle, **arrays)
    else:
        np.savez(f, **arrays)


def load(f: PathOrFile, map_location: Any = None, pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """Read what ``save`` wrote. Refuses (with a ValueError) anything else, including files that
    contain pickled data: loading never runs code from the file. PyTorch's options are accepted:
    ``weights_only`` (minitorch only ever loads weights: always true), ``map_location`` (CPU only:
    ignored), and the pickle ones (minitorch never unpickles)."""
    where = f if isinstance(f, (str, os.PathLike)) else "the file"
    try:
        archive = np.load(f, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise ValueError(f"load: {where} is not a minitorch checkpoint ({e}). minitorch never unpickles: "
                         "files written by torch.save or pickle cannot be read; save with minitorch.save") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {where} holds a single numpy array, not a minitorch checkpoint "
                         "(written by minitorch.save)")
    with archive:
        if _MANIFEST not in archive.files:
            raise ValueError(f"load: {where} is an .npz archive without minitorch's {_MANIFEST!r} entry, so not "
                             "a checkpoint written by minitorch.save")
        try:
            manifest = json.loads(str(archive[_MANIFEST]))
            arrays = {name: archive[name] for name in archive.files if name != _MANIFEST}
        except ValueError as e:  # e.g. "Object arrays cannot be loaded when allow_pickle=False"
            raise ValueError(f"load: refusing {where}: {e}. A minitorch checkpoint holds only plain numeric "
                             "arrays; this one was crafted or damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise ValueError(f"load: {where} has an unrecognised manifest (not written by minitorch.save)")
    if manifest.get("version") != _VERSION:
        raise ValueError(f"load: {where} uses checkpoint format version {manifest.get('version')!r}; this "
                         f"minitorch reads version {_VERSION}")
    return _decode(manifest.get("object"), arrays, "obj")


# ---------------------------------------------------------------------------- encoding
def _encode(obj: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    """``obj`` as JSON-able data; tensors and arrays go into ``arrays`` and are referred to by name."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, float)) and not isinstance(obj, (np.integer, np.floating)):
        return obj
    if isinstance(obj, Tensor):
        kind = "$parameter" if isinstance(obj, Parameter) else "$tensor"
        return {kind: _store(obj.data, arrays, path), "requires_grad": obj.requires_grad}
    if isinstance(obj, (np.ndarray, np.generic)):
        return {"$ndarray" if isinstance(obj, np.ndarray) else "$scalar": _store(np.asarray(obj), arrays, path)}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, arrays, f"{path}[{i}]") for i, v in enumerate(obj)]
        return {"$tuple" if isinstance(obj, tuple) else "$list": items}
    if isinstance(obj, dict):
        pairs = [[_encode_key(k, path), _encode(v, arrays, f"{path}[{k!r}]")] for k, v in obj.items()]
        return {"$ordereddict" if isinstance(obj, OrderedDict) else "$dict": pairs}
    raise TypeError(f"save: cannot store a {type(obj).__module__}.{type(obj).__qualname__} at {path}: a checkpoint "
                    "holds only tensors, arrays, numbers, strings, None and dicts/lists/tuples of them (no pickle, "
                    "so that loading a file can never run code)")


def _encode_key(key: Any, path: str) -> Any:
    if key is None or isinstance(key, (bool, int, float, str)) and not isinstance(key, (np.integer, np.floating)):
        return key
    if isinstance(key, tuple):
        return {"$tuple": [_encode_key(k, path) for k in key]}
    raise TypeError(f"save: cannot store the dict key {key!r} ({type(key).__name__}) at {path}: keys must be "
                    "str, int, float, bool, None or tuples of them")


def _store(array: np.ndarray, arrays: dict[str, np.ndarray], path: str) -> str:
    if array.dtype.hasobject:
        raise TypeError(f"save: the array at {path} has dtype {array.dtype}; only numeric and string arrays "
                        "can be stored without pickle")
    name = str(len(arrays))
    arrays[name] = array
    return name


# ---------------------------------------------------------------------------- decoding
def _decode(node: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, dict) and len(node) >= 1:
        tag = next(iter(node))
        value = node[tag]
        if tag in ("$tensor", "$parameter"):
            data = _fetch(value, arrays, path)
            requires_grad = bool(node.get("requires_grad", False))
            if tag == "$parameter":
                return Parameter(data, requires_grad=requires_grad)
            return Tensor(data, requires_grad=requires_grad)
        if tag == "$ndarray":
            return _fetch(value, arrays, path)
        if tag == "$scalar":
            return _fetch(value, arrays, path)[()]
        if tag in ("$list", "$tuple") and isinstance(value, list):
            items = [_decode(v, arrays, f"{path}[{i}]") for i, v in enumerate(value)]
            return tuple(items) if tag == "$tuple" else items
        if tag in ("$dict", "$ordereddict") and isinstance(value, list):
            out: dict[Any, Any] = OrderedDict() if tag == "$ordereddict" else {}
            for pair in value:
                if not (isinstance(pair, list) and len(pair) == 2):
                    break
                key = _decode(pair[0], arrays, path)
                if isinstance(key, (list, dict)):
                    break  # an unhashable key: save never writes one
                out[key] = _decode(pair[1], arrays, f"{path}[{key!r}]")
            else:
                return out
    raise ValueError(f"load: the checkpoint's structure is damaged at {path} (unexpected entry {str(node)[:80]!r})")


def _fetch(name: Any, arrays: dict[str, np.ndarray], path: str) -> np.ndarray:
    if not isinstance(name, str) or name not in arrays:
        raise ValueError(f"load: the checkpoint refers to a missing array {name!r} at {path}")
    return arrays[name]
