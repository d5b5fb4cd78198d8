"""The parts of the library a learner writes that later lessons can run on (see ``own.py``).

Each :class:`Part` builds the learner's implementation from the namespaces of their saved lessons,
compares it with the reference on a few small cases (``smoke``: an AssertionError says how it
differs), and installs it in this process only, recording in ``undo`` what it replaced. Where the
learner's code is installed inside a reference class or function, a call it does not cover (an
option it lacks) goes to the reference.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Part:
    """One piece of the library a learner writes: built from the saved namespaces of ``lessons``."""

    name: str
    lessons: tuple[str, ...]
    needs: tuple[str, ...]  # exercises that must pass on the saved code
    build: Callable[[dict[str, dict]], Any]  # {lesson: namespace} -> the learner's implementation
    smoke: Callable[[Any], None]  # raises AssertionError (with a reason) when it differs from the reference
    install: Callable[[Any, dict, list], None]  # (impl, notebook namespace, undo list)
    only_in: str = ""  # a part for one lesson only (its starting class), not for every later lesson
    until: str = ""  # the last lesson that uses it (default: every later one)

    def used_in(self, lesson: str) -> bool:
        """Whether lesson ``lesson`` (e.g. "05") uses this part."""
        if not lesson.isdigit():
            return False
        if self.only_in:
            return lesson == self.only_in
        return int(self.lessons[-1]) < int(lesson) and (not self.until or int(lesson) <= int(self.until))

    def where(self) -> str:
        if self.only_in:
            return f"lesson {self.only_in}'s starting class"
        first = f"{int(self.lessons[-1]) + 1:02d}"
        return f"lesson {first}" if self.until == first else f"lessons {first}-{self.until}" if self.until else \
            f"lessons {first} on"


def _patch(obj: Any, attr: str, new: Any, variables: dict, undo: list) -> None:
    """obj.attr = new, and every name bound to the old object in the notebook and in the graded tests
    loaded so far (``from minitorch import Value`` ran before); remembered in ``undo``."""
    old = getattr(obj, attr)
    undo.append((obj, attr, old))
    setattr(obj, attr, new)
    graded = [vars(m) for name, m in list(sys.modules.items()) if name.startswith("minitorch_graded_lesson")]
    for namespace in [variables, *graded]:
        for name, value in list(namespace.items()):
            if value is old and not name.startswith("_"):
                undo.append((namespace, name, old))
                namespace[name] = new


def _restore(undo: list) -> None:
    for target, key, old in reversed(undo):
        if isinstance(target, dict):
            target[key] = old
        else:
            setattr(target, key, old)
    undo.clear()


# ----- the next lesson's starting class (lesson 04's Value, lesson 07's Tensor) with your methods from before
def _rebound(namespace: dict, class_name: str, target: type) -> dict:
    """A copy of a saved namespace in which ``class_name`` is ``target`` (the notebook's class) and every
    function defined there looks its globals up in the copy (so ``Tensor(...)`` in it makes the notebook's)."""
    glob = dict(namespace)
    glob[class_name] = target
    for name, value in namespace.items():
        if inspect.isfunction(value) and value.__globals__ is namespace:
            glob[name] = type(value)(value.__code__, glob, value.__name__, value.__defaults__, value.__closure__)
            glob[name].__kwdefaults__ = value.__kwdefaults__
    return glob


def _transplant(lesson: str, class_name: str, methods: dict[str, str], smoke: Callable[[type], None]) -> tuple:
    """(build, smoke, install) attaching lesson ``lesson``'s functions to the notebook's ``class_name``."""

    def build(namespaces: dict[str, dict]) -> dict:
        ns = namespaces[lesson]
        missing = [fn for fn in methods.values() if fn not in ns]
        if missing:
            raise AssertionError(f"lesson {lesson}'s saved code does not define {', '.join(missing)}")
        return ns

    def install(ns: dict, variables: dict, undo: list) -> None:
        target = variables.get(class_name)
        if not isinstance(target, type):
            raise AssertionError(f"this notebook has no class {class_name} yet")
        glob = _rebound(ns, class_name, target)
        for attr, fn in methods.items():
            _patch(target, attr, glob[fn], {}, undo)
        smoke(target)  # on the notebook's class; carry_forward undoes the patches if this raises

    return build, (lambda impl: None), install


def _smoke_value_basics(value: type) -> None:
    from ..scalar import Value as Reference

    def expression(make: Callable) -> list[float]:
        x, y, z = make(1.5), make(-0.5), make(2.0)
        out = (x * y + z) * x + 2 * y + 1 + y * y
        out.backward()
        return [out.data, x.grad, y.grad, z.grad]

    mine, ref = expression(value), expression(Reference)
    if not np.allclose(mine, ref, rtol=1e-12):
        raise AssertionError(f"on a test expression your + * backward give {mine}, the reference {ref}")


def _smoke_tensor_basics(tensor: type) -> None:
    import minitorch

    rng = np.random.default_rng(0)
    x0, w0 = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))

    def run(make: Callable) -> list[np.ndarray]:
        x, w = make(x0), make(w0)
        h = x @ w
        out = (h.tanh() * h.relu() + h).sum()
        out.backward()
        return [np.asarray(out.data), np.asarray(x.grad.data if hasattr(x.grad, "numpy") else x.grad),
                np.asarray(w.grad.data if hasattr(w.grad, "numpy") else w.grad)]

    mine, ref = run(tensor), run(lambda a: minitorch.tensor(a, requires_grad=True))
    if not all(a.shape == b.shape and np.allclose(a, b) for a, b in zip(mine, ref)):
        raise AssertionError("on a test expression your @ tanh relu backward differ from the reference's")


# ----- Value (lessons 03-04) -> minitorch.Value from lesson 05 on
def _build_value(namespaces: dict[str, dict]) -> type:
    """Lesson 04's Value (your ops) with lesson 03's + * and backward (your code there) attached."""
    value = namespaces["04"]["Value"]
    lesson03 = _rebound(namespaces["03"], "Value", value)  # `Value` in lesson 03's code: lesson 04's class
    for attr, name in (("__add__", "value_add"), ("__mul__", "value_mul"), ("backward", "backward")):
        if name not in lesson03:
            raise AssertionError(f"lesson 03's saved code does not define {name}")
        setattr(value, attr, lesson03[name])
    return value


def _smoke_value(value: type) -> None:
    from ..scalar import Value as Reference

    def expression(make: Callable) -> tuple[float, list[float]]:
        x, y, z = make(1.5), make(-0.5), make(2.0)
        out = ((x * y + z) ** 2 / (1 + x.exp()) - y.tanh() * 3 + (z - x).relu() + (x * z).log()
               + x.sigmoid() + 2 * x + 1 - y)
        out.backward()
        return out.data, [x.grad, y.grad, z.grad]

    mine, ref = expression(value), expression(Reference)
    if not np.allclose([mine[0], *mine[1]], [ref[0], *ref[1]], rtol=1e-9, atol=1e-12):
        raise AssertionError(f"on a test expression your Value gives {mine}, the reference {ref}")


def _install_value(value: type, variables: dict, undo: list) -> None:
    import minitorch

    _patch(minitorch, "Value", value, variables, undo)


# ----- unbroadcast (lesson 07) -> the engine's backward pass from lesson 08 on
_UNBROADCAST_CASES = [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 3, 4), (3, 1)), ((2, 3), (2, 3)), ((5,), ()),
                      ((3, 1, 2), (1, 1, 1)), ((0, 3), (3,)), ((2, 0), (2, 1))]


def _build_unbroadcast(namespaces: dict[str, dict]) -> Callable:
    return namespaces["07"]["unbroadcast"]


def _smoke_unbroadcast(fn: Callable) -> None:
    from ..tensor.autograd import unbroadcast as reference

    rng = np.random.default_rng(0)
    for grad_shape, shape in _UNBROADCAST_CASES:
        grad = rng.normal(size=grad_shape)
        got = np.asarray(fn(grad.copy(), shape))
        if got.shape != shape or not np.allclose(got, reference(grad, shape)):
            raise AssertionError(f"your unbroadcast of a {grad_shape} gradient to {shape} differs from the "
                                 f"reference's (shape {got.shape})")


def _install_unbroadcast(fn: Callable, variables: dict, undo: list) -> None:
    from ..tensor import autograd

    reference = autograd.unbroadcast

    def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Your unbroadcast (lesson 07) on arrays; the reference's for anything else the engine passes
        (a multi-output Function's gradients), and when yours raises or returns another shape."""
        if type(grad) is not np.ndarray:
            return reference(grad, shape)
        try:
            out = fn(grad, shape)
        except Exception:
            return reference(grad, shape)
        if getattr(out, "shape", None) != tuple(shape):
            return reference(grad, shape)
        return out.astype(grad.dtype, copy=False) if out.dtype != grad.dtype else out

    unbroadcast.own = fn  # type: ignore[attr-defined]
    _patch(autograd, "unbroadcast", unbroadcast, variables, undo)


# ----- Module (lesson 08) -> the methods of minitorch.nn's Module, Linear and Sequential from lesson 09 on
# Yours run inside the reference classes (every library layer subclasses the reference Module); a call
# yours does not cover (named_parameters(recurse=False), zero_grad(set_to_none=False), a wrong input
# shape for Linear, a layer without a bias or a tied weight) goes to the reference.
def _build_module(namespaces: dict[str, dict]) -> dict[str, Callable]:
    ns = namespaces["08"]
    module, linear, sequential = ns["Module"], ns["Linear"], ns["Sequential"]
    return {"named_parameters": module.named_parameters, "zero_grad": module.zero_grad, "train": module.train,
            "Linear.forward": linear.forward, "Sequential.forward": sequential.forward}


def _module_methods(fns: dict[str, Callable]) -> list[tuple[type, str, Callable]]:
    from .. import nn
    from ..tensor import Tensor

    ref_named, ref_zero, ref_train = nn.Module.named_parameters, nn.Module.zero_grad, nn.Module.train
    ref_linear = nn.Linear.forward

    def named_parameters(self: Any, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True) -> Any:
        if recurse and remove_duplicate:
            pairs = list(fns["named_parameters"](self, prefix))
            if all(p is not None for _, p in pairs) and len({id(p) for _, p in pairs}) == len(pairs):
                return iter(pairs)
        return ref_named(self, prefix, recurse, remove_duplicate)

    def zero_grad(self: Any, set_to_none: bool = True) -> None:
        return fns["zero_grad"](self) if set_to_none is True else ref_zero(self, set_to_none)

    def train(self: Any, mode: bool = True) -> Any:
        if not isinstance(mode, bool):
            return ref_train(self, mode)
        fns["train"](self, mode)
        return self

    def linear_forward(self: Any, input: Any) -> Any:
        if not isinstance(input, Tensor) or input.ndim == 0 or input.shape[-1] != self.in_features:
            return ref_linear(self, input)  # the reference's error message
        return fns["Linear.forward"](self, input)

    for fn, name in ((named_parameters, "named_parameters"), (zero_grad, "zero_grad"), (train, "train"),
                     (linear_forward, "Linear.forward")):
        fn.own = fns[name]  # type: ignore[attr-defined]
        fn.__doc__ = f"Your {name} (lesson 08) where the call fits it, else the reference's."
    return [(nn.Module, "named_parameters", named_parameters), (nn.Module, "zero_grad", zero_grad),
            (nn.Module, "train", train), (nn.Linear, "forward", linear_forward),
            (nn.Sequential, "forward", fns["Sequential.forward"])]


def _smoke_module(fns: dict[str, Callable]) -> None:
    import minitorch
    from .. import nn

    def models() -> list:
        minitorch.manual_seed(0)
        plain = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Sequential(nn.Linear(4, 4), nn.ReLU()),
                              nn.BatchNorm1d(4), nn.Linear(4, 2))
        tied = nn.Linear(4, 4)  # the same layer twice, and a layer without a bias: the reference's answer
        tricky = nn.Sequential(nn.Linear(3, 4, bias=False), tied, nn.Tanh(), tied)
        return [plain, tricky]

    x = minitorch.tensor(np.random.default_rng(1).normal(size=(5, 3)))

    def run(net: Any) -> tuple:
        def listed(module: Any) -> bool:  # named_parameters as the reference's registry walk finds them
            truth = [(n, id(p)) for n, p in module._named_members("_parameters", "", True, True)]
            return [(n, id(p)) for n, p in module.named_parameters()] == truth

        names, sub = listed(net), listed(net[0])
        net.eval()
        modes = [m.training for m in net.modules()]
        same = net.train() is net
        out = net(x)
        out.sum().backward()
        grads = [p.grad.numpy().copy() for p in net.parameters()]
        net.zero_grad()
        cleared = all(p.grad is None for p in net.parameters())
        return names, sub, modes, same, out.numpy(), grads, cleared

    reference_nets, nets = models(), models()
    expected = [run(net) for net in reference_nets]
    undo: list = []
    try:
        for cls, attr, fn in _module_methods(fns):
            _patch(cls, attr, fn, {}, undo)
        got = [run(net) for net in nets]
    finally:
        _restore(undo)
    labels = ["named_parameters", "named_parameters of a sub-module", "eval()", "train() returning the module",
              "the output of Linear and Sequential", "the gradients", "zero_grad()"]

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and np.allclose(a, b)

    for label, a, b in zip(labels * 2, [v for g in got for v in g], [v for e in expected for v in e]):
        if isinstance(a, np.ndarray):
            equal = close(a, b)
        elif label == "the gradients":
            equal = len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
        else:
            equal = a == b
        if not equal:
            raise AssertionError(f"on a test model your Module's {label} differs from the reference's")


def _install_module(fns: dict[str, Callable], variables: dict, undo: list) -> None:
    for cls, attr, fn in _module_methods(fns):
        _patch(cls, attr, fn, variables, undo)


# ----- losses (lesson 09) -> nn.functional from lesson 10 on
# (F's name, your name in lesson 09, the options of F that yours takes too)
_LOSSES = [("log_softmax", "log_softmax", ("dim",)), ("cross_entropy", "cross_entropy", ()),
           ("binary_cross_entropy_with_logits", "bce_with_logits", ()), ("huber_loss", "huber_loss", ("delta",)),
           ("multi_margin_loss", "multi_margin_loss", ("margin",))]


def _build_losses(namespaces: dict[str, dict]) -> dict[str, Callable]:
    ns = namespaces["09"]
    return {f_name: ns[own_name] for f_name, own_name, _ in _LOSSES if own_name in ns}


def _loss_wrapper(reference: Callable, fn: Callable, options: tuple[str, ...]) -> Callable:
    """Call yours when the call uses only what yours takes (other options at their defaults), else F's."""
    signature = inspect.signature(reference)
    names = list(signature.parameters)

    def loss(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return reference(*args, **kwargs)
        given = dict(bound.arguments)
        x = given.pop(names[0])
        inputs = [x]
        if names[1] in given and names[1] not in options:
            inputs.append(given.pop(names[1]))
        default = {k: p.default for k, p in signature.parameters.items()}

        def is_default(k: str, v: Any) -> bool:
            return v is default[k] or (isinstance(v, (int, float, str)) and v == default[k])

        if any(k not in options and not k.startswith("_") and not is_default(k, v) for k, v in given.items()):
            return reference(*args, **kwargs)
        if reference.__name__ == "log_softmax" and given.get("dim") is None:
            return reference(*args, **kwargs)
        if reference.__name__ in ("cross_entropy", "multi_margin_loss"):
            target = np.asarray(getattr(inputs[1], "data", inputs[1]))
            if getattr(x, "ndim", 0) != 2 or target.ndim != 1 or not np.issubdtype(target.dtype, np.integer):
                return reference(*args, **kwargs)
            inputs[1] = target
        elif len(inputs) > 1 and getattr(inputs[1], "shape", None) != getattr(x, "shape", ()):
            return reference(*args, **kwargs)
        try:
            return fn(*inputs, **{k: v for k, v in given.items() if k in options})
        except Exception:  # a case your code does not handle must not stop the lesson
            loss.fallbacks += 1  # type: ignore[attr-defined]
            return reference(*args, **kwargs)

    loss.fallbacks = 0  # type: ignore[attr-defined]
    loss.own = fn  # type: ignore[attr-defined]
    loss.__name__ = loss.__qualname__ = reference.__name__
    loss.__doc__ = f"Your {fn.__name__} from lesson 09 where the call fits it, else the reference's.\n\n{reference.__doc__}"
    return loss


def _smoke_losses(fns: dict[str, Callable]) -> None:
    import minitorch
    from ..nn import functional as F

    missing = [f for f, _, _ in _LOSSES if f not in fns]
    if missing:
        raise AssertionError(f"the saved code of lesson 09 does not define {', '.join(missing)}")
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(5, 4)) * 3
    targets = rng.integers(0, 4, size=5)
    other = rng.normal(size=(5, 4))
    labels = rng.integers(0, 2, size=(5, 4)).astype(np.float64)
    calls = {"log_softmax": lambda f, s: f(s, dim=1), "cross_entropy": lambda f, s: f(s, minitorch.tensor(targets)),
             "binary_cross_entropy_with_logits": lambda f, s: f(s, minitorch.tensor(labels)),
             "huber_loss": lambda f, s: f(s, minitorch.tensor(other), delta=0.5),
             "multi_margin_loss": lambda f, s: f(s, minitorch.tensor(targets), margin=2.0)}
    for name, call in calls.items():
        own_fn = _loss_wrapper(getattr(F, name), fns[name], dict((f, o) for f, _, o in _LOSSES)[name])
        for dtype in (minitorch.float64, minitorch.float32):
            results = []
            for f in (own_fn, getattr(F, name)):
                s = minitorch.tensor(scores, dtype=dtype, requires_grad=True)
                out = call(f, s)
                out.sum().backward()
                results.append((out.data, s.grad.data))
            (o1, g1), (o2, g2) = results
            if o1.shape != o2.shape or not (np.allclose(o1, o2, rtol=1e-4, atol=1e-5) and np.allclose(g1, g2, rtol=1e-4, atol=1e-5)):
                raise AssertionError(f"your {fns[name].__name__} differs from F.{name} on a {dtype} test case")


def _install_losses(fns: dict[str, Callable], variables: dict, undo: list) -> None:
    from ..nn import functional as F

    for f_name, _, options in _LOSSES:
        _patch(F, f_name, _loss_wrapper(getattr(F, f_name), fns[f_name], options), variables, undo)


# ----- optimizers (lesson 10) -> minitorch.optim from lesson 11 on
_OPTIMIZERS = [("SGD", "SGD"), ("RMSprop", "RMSProp"), ("Adam", "Adam"), ("AdamW", "AdamW")]
# Options of the reference that yours do not have: when a group sets one (truthy), the reference updates it.
_ONLY_REFERENCE = ("maximize", "amsgrad", "centered")


def _build_optimizers(namespaces: dict[str, dict]) -> dict[str, type]:
    ns = namespaces["10"]
    return {ref: ns[own] for ref, own in _OPTIMIZERS}


def _own_optimizer(reference: type, learner: type) -> type:
    """A subclass of the reference optimizer whose update_parameter is yours (same interface)."""
    learner_options: dict[str, Any] = {}
    for cls in reversed(learner.__mro__):  # AdamW's own defaults over Adam's (bias_correction)
        if "__init__" in cls.__dict__ and cls is not object:
            learner_options.update({k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()
                                    if p.default is not inspect.Parameter.empty})

    def update_parameter(self: Any, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        only_reference = [k for k in _ONLY_REFERENCE if group.get(k)]
        if reference.__name__ == "RMSprop" and group.get("momentum"):
            only_reference.append("momentum")
        if reference.__name__ == "Adam" and group.get("decoupled_weight_decay"):
            only_reference.append("decoupled_weight_decay")
        if only_reference:
            return reference.update_parameter(self, param, grad, state, group)
        own_group = {**learner_options, **{k: v for k, v in group.items() if k in learner_options}}
        mine = self.__dict__.get("_own")
        if mine is None:
            mine = self.__dict__["_own"] = object.__new__(learner)
        learner.update_parameter(mine, param, grad, state, own_group)
        return None

    doc = f"Your {learner.__name__}.update_parameter (lesson 10) in minitorch's {reference.__name__}.\n\n"
    attrs = {"update_parameter": update_parameter, "__doc__": doc + (reference.__doc__ or ""),
             "__module__": reference.__module__, "own": learner}
    return type(reference.__name__, (reference,), attrs)


def _smoke_optimizers(classes: dict[str, type]) -> None:
    import minitorch
    from .. import optim

    cases = {"SGD": [dict(lr=0.1), dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
                     dict(lr=0.05, momentum=0.9, nesterov=True)],
             "RMSprop": [dict(lr=0.01), dict(lr=0.01, weight_decay=0.1)],
             "Adam": [dict(lr=0.1), dict(lr=0.1, weight_decay=0.1)],
             "AdamW": [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5)]}
    start = np.array([[1.5, -2.0, 0.5], [0.25, 3.0, -1.0]])
    for name, options_list in cases.items():
        mine_cls = _own_optimizer(getattr(optim, name), classes[name])
        for options in options_list:
            paths = []
            for cls in (mine_cls, getattr(optim, name)):
                p = minitorch.tensor(start, dtype=minitorch.float32, requires_grad=True)
                opt = cls([p], **options)
                for _ in range(4):
                    opt.zero_grad()
                    ((p * p * p).sum() + (p * 2).sum()).backward()
                    opt.step()
                paths.append(p.data.copy())
            if not np.allclose(paths[0], paths[1], rtol=1e-4, atol=1e-5):
                raise AssertionError(f"your {classes[name].__name__}({options}) moves the parameters "
                                     f"differently from optim.{name}")


def _install_optimizers(classes: dict[str, type], variables: dict, undo: list) -> None:
    from .. import optim

    for name, _ in _OPTIMIZERS:
        _patch(optim, name, _own_optimizer(getattr(optim, name), classes[name]), variables, undo)


PARTS = [
    Part("+ * backward", ("03",), ("03.1", "03.2", "03.3"),
         *_transplant("03", "Value", {"__add__": "value_add", "__mul__": "value_mul", "backward": "backward"},
                      _smoke_value_basics), only_in="04"),
    Part("@ tanh relu backward", ("06",), ("06.3", "06.4", "06.5"),
         *_transplant("06", "Tensor", {"__matmul__": "tensor_matmul", "tanh": "tensor_tanh", "relu": "tensor_relu",
                                       "backward": "backward"}, _smoke_tensor_basics), only_in="07"),
    Part("Value", ("03", "04"), ("03.1", "03.2", "03.3", "04.1", "04.2", "04.3", "04.4"),
         _build_value, _smoke_value, _install_value, until="05"),
    Part("unbroadcast", ("07",), ("07.2",), _build_unbroadcast, _smoke_unbroadcast, _install_unbroadcast),
    Part("Module", ("08",), ("08.1", "08.2", "08.3"), _build_module, _smoke_module, _install_module),
    Part("losses", ("09",), ("09.1", "09.2", "09.3", "09.4", "09.5"), _build_losses, _smoke_losses, _install_losses),
    Part("optimizers", ("10",), ("10.2", "10.3", "10.4", "10.5"), _build_optimizers, _smoke_optimizers,
         _install_optimizers),
]
NOT_CARRIED = "Tensor beyond lesson 07 (06–07), Module registration and state_dict (08), schedulers (11), training loop (12)"
