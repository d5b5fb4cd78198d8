"""The judge: ``python -I -m minitorch.course.judge TESTS.py REQUEST_FD REPLY_FD`` (started by grader.py).

Runs a lesson's graded tests without ever executing learner code: ``nb`` is a ``RemoteNamespace``,
and every operation on a learner's object is a request to the worker (see ``remote.py``). Commands
come from the grader on stdin, one JSON object per line (``{"run": [e, k]}``); each answer is one line
on stdout: ``{"e": e, "k": k, "passed": bool, "message": str, "broken": bool}``. ``broken`` says the
channel to the worker is unusable (it died, or sent something that is not a reply): the grader then
starts a fresh worker. The grader enforces every time limit by killing this process and the worker.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
from typing import Any

import numpy as np

from .remote import (EXCEPTIONS, MAX_BLOBS, Endpoint, LearnerException, ProtocolError, WorkerGone, _by_name,
                     _plain, _plain_value, _trusted_class)

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
        return _end().request("getattr", self, name)

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
            return type(self).__mro__[3]
        if name in _LOCAL:
            raise AttributeError(name)
        return _end().request("getattr", self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        _end().request("setattr", self, name, value)

    def __delattr__(self, name: str) -> None:
        _end().request("delattr", self, name)


_MOVED_CLASSES: dict[type, type] = {}


def _moved_class(cls: type) -> type:
    if cls not in _MOVED_CLASSES:
        _MOVED_CLASSES[cls] = type(cls.__name__, (Moved, cls), {"__slots__": (), "__module__": cls.__module__,
                                                                 "__qualname__": cls.__qualname__})
    return _MOVED_CLASSES[cls]


def _movable(v: Any) -> bool:
    module = getattr(type(v), "__module__", "") or ""
    return module.startswith("minitorch.") and not module.startswith("minitorch.course") \
        and not isinstance(v, (type, type(len), type(_movable)))


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
        if outer:
            self.copies = []
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
            return {"R": self.move(v)}
        cid = self.callback_ids.get(id(v))
        if cid is None:
            cid = len(self.callbacks) + 1
            self.callbacks[cid], self.callback_ids[id(v)] = v, cid
        return {"K": cid}

    def move(self, obj: Any) -> int:
        """Pickle a minitorch object into the worker; from now on ``obj`` forwards to the worker's copy."""
        if id(obj) in self.moved:
            return self.moved[id(obj)]
        end, buffer = self, io.BytesIO()

        class Pickler(pickle.Pickler):
            def persistent_id(self, o: Any) -> Any:
                if o is obj:
                    return None
                if isinstance(o, Handle):
                    return object.__getattribute__(o, "_hid")
                if isinstance(o, RemoteType):
                    return type.__getattribute__(o, "_rid")
                if id(o) in end.moved:
                    return end.moved[id(o)]
                if _movable(o):
                    return end.move(o)
                return None

        Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
        handle = self.request("put", _Blob(buffer.getvalue()))
        if not isinstance(handle, Handle):
            raise ProtocolError("the notebook's process did not take an object")
        rid = object.__getattribute__(handle, "_hid")
        self.moved[id(obj)] = rid
        self.cache[rid] = obj
        obj.__class__ = _moved_class(type(obj))
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
        if op == "getattr":
            obj, name = args
            return getattr(obj, name)
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


class RemoteNamespace:
    """``nb`` in the grader: the worker's notebook namespace."""

    def __init__(self, end: JudgeEnd) -> None:
        self._end = end

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        from .exercises import MissingDefinition

        found = self._end.request("global", name)
        if not isinstance(found, dict) or ("value" not in found and "missing" not in found):
            raise ProtocolError("a malformed answer for a name")
        if "missing" in found:
            raise MissingDefinition(f"the notebook does not define `{name}` — run the cell that defines it "
                                    "(or check the spelling of the name)")
        return found["value"]

    def __contains__(self, name: str) -> bool:
        return bool(self._end.request("has", name))

    def remote(self, obj: Any) -> Any:
        """Move a minitorch object into the notebook's process now (see ``Namespace.remote``)."""
        if _movable(obj):
            self._end.move(obj)
        return obj


def main(tests_file: str, request_fd: int, reply_fd: int) -> None:
    global _END
    from .exercises import load_lesson_file, run_test
    from .sandbox import apply_limits

    apply_limits(4096, 24 * 3600, None)
    send = sys.stdout.write
    exercises, tests = load_lesson_file(tests_file)
    end = JudgeEnd(reply_fd, request_fd)
    _END = end
    nb = RemoteNamespace(end)
    first = True
    for line in sys.stdin:
        command = json.loads(line)
        e, k = command["run"]
        exercise = exercises[e]
        fn = tests[exercise.id][k]
        if first:
            end.request("test_file", fn.__code__.co_filename)
            first = False
        outcome = run_test(fn, nb, None)
        if end.broken:
            outcome.passed = False
            outcome.message = f"the grading process stopped answering ({end.broken})"
        if not end.broken:
            try:
                end.request("release", [])
            except BaseException:
                pass
        end.reset()
        send(json.dumps({"e": e, "k": k, "passed": outcome.passed, "message": outcome.message,
                         "broken": bool(end.broken)}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    os._exit(0)
