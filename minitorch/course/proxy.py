"""The judge's stand-ins for the objects of the worker (see ``remote.py`` for the channel, ``judge.py`` for
the process that runs the tests).

``Handle`` is an object living in the worker, ``RemoteType`` a class living there (``nb.Value``);
``Moved`` turns a minitorch object the test handed to learner code into a forwarder to the worker's
copy; ``JudgeEnd`` is the judge's end of the channel: handles cached by id, callbacks, moved objects,
arguments copied back, errors raised as builtin exceptions.
"""

from __future__ import annotations

import io
import pickle
import sys
import types
from typing import Any

import numpy as np

from . import remote
from .remote import (BY_NAME, EXCEPTIONS, MAX_BLOBS, Endpoint, LearnerException, ProtocolError, _by_name, _plain,
                     _plain_value, _trusted_class)

_END: "JudgeEnd | None" = None

# Probed by Python, numpy and IPython on any object; answered here instead of asking the worker.
_LOCAL = {"__array_interface__", "__array_struct__", "__array_priority__", "__getstate__", "__length_hint__",
          "__deepcopy__", "__copy__", "__wrapped__", "__signature__", "__func__", "__self__", "__fspath__",
          "__reduce__", "__reduce_ex__", "__getnewargs_ex__", "__getnewargs__", "__array_ufunc__",
          "__array_function__", "__await__", "__aiter__"}


def _end() -> "JudgeEnd":
    if _END is None:
        raise RuntimeError("no worker to talk to")
    return _END


def _attribute(obj: Any, name: str) -> Any:
    value = _end().request("getattr", obj, name)
    if type(value) is np.ndarray:
        value = value.view(RemoteArray)
        value._source = (obj, name)
    return value


def _op(name: str):
    def method(self, *others):
        return _end().request("op", name, self, *others)
    method.__name__ = f"__{name.strip('_')}__"
    return method


def _rop(name: str):
    def method(self, other):
        return _end().request("op", name, other, self)
    return method


class _Forward:
    """The special methods of an object living in the worker: each one is a request."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _end().request("call", self, [_Copied(a) for a in args], {k: _Copied(v) for k, v in kwargs.items()})

    def __hash__(self) -> int:
        return object.__hash__(self)

    def __bool__(self) -> bool:
        return _end().request("op", "truth", self)

    def __len__(self) -> int:
        return _end().request("op", "len", self)

    def __iter__(self):
        return _end().request("op", "iter", self)

    def __next__(self):
        return _end().request("op", "next", self)

    def __reversed__(self):
        return _end().request("op", "reversed", self)

    def __repr__(self) -> str:
        text = _end().request("op", "repr", self)
        return text if isinstance(text, str) else "<an object of your notebook>"

    def __str__(self) -> str:
        text = _end().request("op", "str", self)
        return text if isinstance(text, str) else "<an object of your notebook>"

    def __format__(self, spec: str) -> str:
        return _end().request("op", "format", self, spec)

    def __float__(self) -> float:
        return _end().request("op", "float", self)

    def __int__(self) -> int:
        return _end().request("op", "int", self)

    def __complex__(self) -> complex:
        return _end().request("op", "complex", self)

    def __round__(self, *n: Any) -> Any:
        return _end().request("op", "round", self, *n)

    def __dir__(self) -> list:
        return _end().request("op", "dir", self)

    def __enter__(self) -> Any:
        return _end().request("op", "enter", self)

    def __exit__(self, kind: Any, value: Any, tb: Any) -> Any:
        kind = kind if kind is None or EXCEPTIONS.get(kind.__name__) is kind else Exception
        return _end().request("op", "exit", self, kind)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = _end().request("op", "array", self)
        if not isinstance(value, np.ndarray):
            raise TypeError("np.asarray of an object of the notebook did not give an array")
        return value if dtype is None else value.astype(dtype)

    __neg__, __pos__, __abs__, __invert__, __index__ = (_op(n) for n in ("neg", "pos", "abs", "invert", "index"))
    __getitem__, __setitem__, __delitem__, __contains__ = (_op(n) for n in ("getitem", "setitem", "delitem", "contains"))
    __lt__, __le__, __eq__, __ne__, __gt__, __ge__ = (_op(n) for n in ("lt", "le", "eq", "ne", "gt", "ge"))
    for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor",
                  "lshift", "rshift", "divmod"):
        _bare = _name.strip("_")
        locals()[f"__{_bare}__"] = _op(_name)
        locals()[f"__r{_bare}__"] = _rop(_name)
        if _name != "divmod":
            locals()[f"__i{_bare}__"] = _op(f"i{_name}" if _name[-1] != "_" else f"i{_bare}")
    del _name, _bare


class RemoteType(type):
    """The judge's stand-in for a class of the notebook: calling it makes an object in the worker."""

    def __new__(mcls, name: str, bases: tuple, namespace: dict) -> "RemoteType":
        if "_rid" not in namespace:
            raise TypeError(f"a graded test cannot subclass {bases[0].__name__}, a class of the notebook, in the "
                            "grader: define the subclass in the notebook's process (minitorch.course.define)")
        return super().__new__(mcls, name, bases, namespace)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return _Forward.__call__(cls, *args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        if name in _LOCAL or name.startswith(("_repr_", "_ipython")):
            raise AttributeError(name)
        return _end().request("getattr", cls, name)

    def __setattr__(cls, name: str, value: Any) -> None:
        _end().request("setattr", cls, name, value)

    def __instancecheck__(cls, obj: Any) -> bool:
        return type(obj) is cls or _end().request("op", "isinstance", obj, cls)

    def __subclasscheck__(cls, sub: Any) -> bool:
        return sub is cls or _end().request("op", "issubclass", sub, cls)

    def __repr__(cls) -> str:
        return _Forward.__repr__(cls)

    def __hash__(cls) -> int:
        return type.__hash__(cls)

    def __eq__(cls, other: Any) -> bool:
        return cls is other


class Handle(_Forward):
    """An object living in the worker, seen from the judge."""

    __slots__ = ("_hid", "__weakref__")

    def __getattr__(self, name: str) -> Any:
        if name in _LOCAL or name.startswith(("_repr_", "_ipython")):
            raise AttributeError(name)
        return _attribute(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        _end().request("setattr", self, name, value)

    def __delattr__(self, name: str) -> None:
        _end().request("delattr", self, name)

    @property
    def __class__(self) -> type:  # type: ignore[override]
        return type(self).__dict__.get("_trusted") or type(self)


class Moved(_Forward):
    """A minitorch object a test built and handed to the notebook's code: moved to the worker, and
    forwarding every attribute there (its class becomes a subclass of its own class with this mixin)."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        if name == "__class__":
            return type(self).__mro__[1]
        if name in _LOCAL:
            raise AttributeError(name)
        return _attribute(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        _end().request("setattr", self, name, value)

    def __delattr__(self, name: str) -> None:
        _end().request("delattr", self, name)


_MOVED_CLASSES: dict[type, type] = {}


def _moved_class(cls: type) -> type:
    """A subclass of ``cls`` with Moved's and _Forward's methods in its own dict: the same layout as ``cls``
    (so ``obj.__class__`` may be assigned), and forwarding before anything ``cls`` defines."""
    if cls not in _MOVED_CLASSES:
        methods = {name: value for base in (_Forward, Moved) for name, value in vars(base).items()
                   if name not in ("__slots__", "__module__", "__doc__", "__qualname__")}
        _MOVED_CLASSES[cls] = type(cls.__name__, (cls,), {**methods, "__slots__": (), "__module__": cls.__module__,
                                                          "__qualname__": cls.__qualname__})
    return _MOVED_CLASSES[cls]


def _movable(v: Any) -> bool:
    """An object of minitorch's, or of a class the test module defines at its top level (the worker loads a
    copy of the test module too), that is not plain data, a class or a function."""
    cls = type(v)
    module = getattr(cls, "__module__", "") or ""
    if module == remote.TEST_MODULE[0]:
        return "<" not in cls.__qualname__ and not isinstance(v, (type, types.FunctionType))
    if isinstance(v, (dict, list, tuple, set)) or cls.__name__.startswith("_"):
        return False  # a library object's internals (a Module's _Registry dicts) travel inside their owner
    return module.startswith("minitorch.") and not module.startswith("minitorch.course") \
        and not isinstance(v, (type, type(len), type(_movable)))


def _test_defined(v: Any) -> bool:
    """Defined outside the modules the worker can import (a test's lambda, local class or its object)."""
    module = getattr(v, "__module__", None) if callable(v) else None
    if not isinstance(module, str):
        module = getattr(type(v), "__module__", None)
    return isinstance(module, str) and module.split(".")[0] not in BY_NAME \
        and module.split(".")[0] not in sys.stdlib_module_names


_CALLBACK_OPERATORS = {"iter": iter, "next": next, "len": len, "getitem": lambda obj, key: obj[key]}


class _ByName:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


_NAMESPACE = object()  # stands for the worker's notebook namespace (``nb`` there)


class RemoteArray(np.ndarray):
    """An array read from an attribute of a notebook object (``layer.weight.data``): a copy, whose item
    assignments (``layer.weight.data[...] = w``) and in-place operators are also made to the worker's."""

    def __array_finalize__(self, obj: Any) -> None:
        self._source = None

    def _push(self, key: Any, value: Any) -> None:
        source = getattr(self, "_source", None)
        if source is not None:
            _end().request("setattr_item", source[0], source[1], key, value)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self._push(key, np.asarray(value))

    def _inplace(name: str):  # noqa: N805
        def method(self, other):
            out = getattr(np.ndarray, name)(self, other)
            self._push(Ellipsis, np.asarray(self))
            return out
        return method

    __iadd__, __isub__ = _inplace("__iadd__"), _inplace("__isub__")
    __imul__, __itruediv__ = _inplace("__imul__"), _inplace("__itruediv__")
    del _inplace


class _Copied:
    """An argument of a call: a list, dict, set or array in it is copied back after the call."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class JudgeEnd(Endpoint):
    """The judge's end: handles cached by id, callbacks, moved objects, errors raised as builtins."""

    max_blobs = MAX_BLOBS

    def __init__(self, read_fd: int, write_fd: int) -> None:
        super().__init__(read_fd, write_fd)
        self.reset()
        self.broken: str = ""

    def reset(self) -> None:
        self.cache: dict[int, Any] = {}  # the worker's number -> its stand-in here
        self.moved: dict[int, int] = {}  # id(a moved object) -> the worker's number
        self.callbacks: dict[int, Any] = {}
        self.callback_ids: dict[int, int] = {}
        self.pending: AssertionError | None = None
        self.copies: list[Any] = []

    def request(self, op: str, *args: Any) -> Any:
        if self.broken:
            raise ProtocolError(self.broken)
        outer = self.depth == 0
        try:
            result = super().request(op, *args)
        except ProtocolError as e:
            self.broken = str(e) or "the channel to the notebook's process broke"
            raise
        if outer and self.pending is not None:
            pending, self.pending = self.pending, None
            raise pending
        return result

    # -------------------------------------------------------------------------- encoding
    def encode(self, value: Any, blobs: list[bytes]) -> Any:
        if isinstance(value, _Copied):
            value = value.value
            if type(value) in (list, dict, set) or type(value) is np.ndarray:
                tree = _plain(value, blobs, 0, lambda v: self._inner(v, blobs))
                self.copies.append(value)
                return {"M": [len(self.copies) - 1, tree]}
        return _plain(value, blobs, 0, lambda v: self._inner(v, blobs))

    def _inner(self, v: Any, blobs: list[bytes]) -> Any:
        if type(v) is _Copied:
            return self.encode(v, blobs)
        if type(v) is _ByName:
            return {"Q": _by_name(v.value)}
        if v is _NAMESPACE:
            return {"NS": 0}
        if isinstance(v, _Blob):  # a pickled object rides in the message's raw part
            blobs.append(v.data)
            return {"P": len(blobs) - 1}
        if isinstance(v, Handle):
            return {"R": object.__getattribute__(v, "_hid")}
        if isinstance(v, RemoteType):
            return {"R": type.__getattribute__(v, "_rid")}
        if id(v) in self.moved:
            return {"R": self.moved[id(v)]}
        name = _by_name(v)
        if name is not None:
            return {"Q": name}
        if _movable(v):
            rid = self.move(v)
            if rid is not None:
                return {"R": rid}
        return {"K": self.callback(v)}

    def callback(self, v: Any) -> int:
        cid = self.callback_ids.get(id(v))
        if cid is None:
            cid = len(self.callbacks) + 1
            self.callbacks[cid], self.callback_ids[id(v)] = v, cid
        return cid

    def move(self, obj: Any) -> int | None:
        """Pickle a minitorch object into the worker; from now on ``obj`` forwards to the worker's copy."""
        if id(obj) in self.moved:
            return self.moved[id(obj)]
        end, buffer = self, io.BytesIO()

        class Pickler(pickle.Pickler):
            def persistent_id(self, o: Any) -> Any:
                if o is obj:
                    return None
                if isinstance(o, Handle):
                    return ("R", object.__getattribute__(o, "_hid"))
                if isinstance(o, RemoteType):
                    return ("R", type.__getattribute__(o, "_rid"))
                if id(o) in end.moved:
                    return ("R", end.moved[id(o)])
                if _movable(o):
                    rid = end.move(o)
                    if rid is not None:
                        return ("R", rid)
                if isinstance(o, (type, types.FunctionType)) and _by_name(o) is not None:
                    return None  # pickled by name
                if _test_defined(o) or _movable(o):  # a test's lambda, local class or its object: a callback
                    return ("K", end.callback(o))
                return None

        try:
            Pickler(buffer, protocol=4).dump(obj)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None  # it stays here, and the worker gets a callback to it
        handle = self.request("put", _Blob(buffer.getvalue()))
        if not isinstance(handle, Handle):
            raise ProtocolError("the notebook's process did not take an object")
        rid = object.__getattribute__(handle, "_hid")
        self.moved[id(obj)] = rid
        self.cache[rid] = obj
        object.__setattr__(obj, "__class__", _moved_class(type(obj)))
        return rid

    # -------------------------------------------------------------------------- decoding
    def decode(self, tree: Any, blobs: list[bytes]) -> Any:
        return _plain_value(tree, blobs, 0, self._decode_inner)

    def _decode_inner(self, tag: str, body: Any) -> Any:
        if tag == "H":
            if not (isinstance(body, list) and len(body) == 5 and type(body[0]) is int and type(body[1]) is int
                    and isinstance(body[2], str) and (body[3] is None or (isinstance(body[3], list) and len(body[3]) == 2
                    and all(isinstance(x, str) for x in body[3]))) and type(body[4]) is bool):
                raise ProtocolError("a malformed handle")
            rid, tid, name, trusted, is_type = body
            if rid in self.cache:
                return self.cache[rid]
            trusted_cls = _trusted_class(*trusted) if trusted else None
            if is_type:
                cls = RemoteType(name, (Handle,), {"__slots__": (), "_rid": rid, "_trusted": None,
                                                   "__module__": "notebook"})
                self.cache[rid] = cls
                return cls
            cls = self.cache.get(tid)
            if not isinstance(cls, RemoteType):
                cls = RemoteType(name, (Handle,), {"__slots__": (), "_rid": tid, "_trusted": trusted_cls,
                                                   "__module__": "notebook"})
                self.cache[tid] = cls
            handle = object.__new__(cls)
            object.__setattr__(handle, "_hid", rid)
            self.cache[rid] = handle
            return handle
        if tag == "K":
            if body not in self.callbacks:
                raise ProtocolError("a callback the judge never sent")
            return self.callbacks[body]
        raise ProtocolError(f"an unknown kind of value ({str(tag)[:20]})")

    def handle_reply(self, message: dict, blobs: list[bytes]) -> Any:
        back = message.get("back", [])
        if not isinstance(back, list):
            raise ProtocolError("a malformed reply")
        for item in back:
            if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int and 0 <= item[0] < len(self.copies)):
                raise ProtocolError("a malformed reply")
            _copy_into(self.copies[item[0]], self.decode(item[1], blobs))
        if "ok" in message:
            return self.decode(message["ok"], blobs)
        error = message.get("err")
        if not isinstance(error, dict):
            raise ProtocolError("a malformed reply")
        raise _exception(error)

    # -------------------------------------------------------------------------- callbacks
    def handle(self, op: Any, args: list) -> Any:
        if op == "call":
            fn, a, k = args
            if not isinstance(a, list) or not isinstance(k, dict):
                raise ProtocolError("a malformed callback")
            try:
                return fn(*a, **k)
            except AssertionError as e:  # a test's verdict: learner code may not swallow it
                if self.pending is None:
                    self.pending = e
                raise
        if op in ("getattr", "setattr"):
            # Only the public attributes of what the test handed over. Never a private or special one: from a
            # test's lambda, `__globals__` leads to the judge's modules (sys, os, pickle), and from there to
            # running code in the judge, outside the sandbox (a reviewer did exactly that).
            name = args[1] if len(args) in (2, 3) else None
            if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
                raise ProtocolError(f"asked the judge for a private attribute ({str(name)[:40]})")
            if op == "getattr":
                return getattr(args[0], name)
            setattr(args[0], name, args[2])
            return None
        if op == "op" and args and args[0] in _CALLBACK_OPERATORS:
            return _CALLBACK_OPERATORS[args[0]](*args[1:])
        raise ProtocolError(f"an unknown request ({str(op)[:20]})")

    def describe(self, e: BaseException) -> dict:
        return {"type": type(e).__name__ if type(e).__name__ in EXCEPTIONS else "Exception",
                "message": str(e)[:2000]}


class _Blob:
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def _copy_into(target: Any, value: Any) -> None:
    """Put what the worker's copy of a container holds after a call back into the judge's container."""
    if type(target) is list and type(value) is list:
        target[:] = value
    elif type(target) in (dict, set) and type(value) is type(target):
        target.clear()
        target.update(value)
    elif type(target) is np.ndarray and isinstance(value, np.ndarray) and value.shape == target.shape \
            and target.flags.writeable:
        np.copyto(target, value, casting="unsafe")


def _exception(error: dict) -> BaseException:
    """The judge's exception for an error reply: the builtin class of that name, else LearnerException."""
    name, message = error.get("type"), error.get("message")
    name = name if isinstance(name, str) else "Exception"
    message = message[:2000] if isinstance(message, str) else ""
    cls = EXCEPTIONS.get(name, LearnerException)
    try:
        e = cls(message) if message else cls()
    except Exception:
        e = LearnerException(f"{name}: {message}")
    where = error.get("where")
    e.minitorch_remote = {"learner": error.get("learner") is True,  # type: ignore[attr-defined]
                          "where": where[:2000] if isinstance(where, str) else f"{name}: {message}"}
    return e
