"""Record what PyTorch's module hooks see and do, for minitorch's parity tests.

    .venv/bin/python tests/references/record_hooks.py     # needs torch; rewrites hooks_reference.npz

Each scenario in ``SCENARIOS`` builds the same small network in either library (``side``), with
weights and inputs from a seeded numpy generator, registers hooks that log what they are called
with (which hook, on which module, the shapes of the gradients, None where there is none), runs
forward and backward, and returns the log and the numbers (gradient norms seen by the hooks,
outputs, parameter and input gradients). ``hooks_reference.npz`` stores PyTorch's; the tests
(tests/library/test_nn_hooks.py) run the same scenarios through minitorch, and live against torch.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "hooks_reference.npz"


def torch_side() -> SimpleNamespace:
    import torch
    import torch.nn.modules.module as torch_module

    return SimpleNamespace(nn=torch.nn, tensor=lambda x, requires_grad=False: torch.tensor(x, requires_grad=requires_grad),
                           read=lambda t: t.detach().numpy().copy(), global_forward_hook=torch_module.register_module_forward_hook,
                           global_backward_hook=torch_module.register_module_full_backward_hook)


def minitorch_side() -> SimpleNamespace:
    import minitorch
    from minitorch.nn import hooks

    return SimpleNamespace(nn=minitorch.nn, tensor=lambda x, requires_grad=False: minitorch.tensor(x, requires_grad=requires_grad),
                           read=lambda t: np.array(t.data), global_forward_hook=hooks.register_module_forward_hook,
                           global_backward_hook=hooks.register_module_full_backward_hook)


def _describe(grads: Any) -> str:
    return "(" + ", ".join("None" if g is None else "x".join(map(str, g.shape)) for g in grads) + ")"


class Log:
    """Events (strings) and the norms of every gradient the hooks saw, in order."""

    def __init__(self, side: SimpleNamespace):
        self.side, self.events, self.norms = side, [], []

    def _norms(self, grads: Any) -> None:
        self.norms += [float(np.linalg.norm(self.side.read(g))) for g in grads if g is not None]

    def attach(self, name: str, module: Any) -> list[Any]:
        def pre(m: Any, args: tuple) -> None:
            self.events.append(f"forward_pre {name} args={len(args)}")

        def fwd(m: Any, args: tuple, out: Any) -> None:
            self.events.append(f"forward {name}")

        def bpre(m: Any, grad_output: tuple) -> None:
            self.events.append(f"backward_pre {name} grad_output={_describe(grad_output)}")
            self._norms(grad_output)

        def bwd(m: Any, grad_input: tuple, grad_output: tuple) -> None:
            self.events.append(f"backward {name} grad_input={_describe(grad_input)} grad_output={_describe(grad_output)}")
            self._norms(grad_input)
            self._norms(grad_output)

        return [module.register_forward_pre_hook(pre), module.register_forward_hook(fwd),
                module.register_full_backward_pre_hook(bpre), module.register_full_backward_hook(bwd)]


def _mlp(side: SimpleNamespace, rng: np.random.Generator) -> Any:
    nn = side.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    model.load_state_dict({k: side.tensor(rng.normal(size=tuple(v.shape))) for k, v in model.state_dict().items()})
    return model.double()


def _finish(side: SimpleNamespace, log: Log, model: Any, x: Any, out: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"events": log.events, "norms": np.array(log.norms), "out": side.read(out)}
    for name, p in model.named_parameters():
        result["grad." + name] = side.read(p.grad)
    if x.grad is not None:
        result["grad.x"] = side.read(x.grad)
    return result


def all_hooks(side: SimpleNamespace, input_requires_grad: bool) -> dict[str, Any]:
    """Every hook kind on every module of a Sequential: the order and what each one is given."""
    rng = np.random.default_rng(1)
    model = _mlp(side, rng)
    log = Log(side)
    for name, module in model.named_modules():
        log.attach(name or "model", module)
    x = side.tensor(rng.normal(size=(5, 3)), requires_grad=input_requires_grad)
    out = model(x)
    (out * side.tensor(rng.normal(size=(5, 2)))).sum().backward()
    return _finish(side, log, model, x, out)


def replacing_hooks(side: SimpleNamespace) -> dict[str, Any]:
    """Hooks that change things: args (x2), the output (+1), grad_output (x3), grad_input (x0.5)."""
    rng = np.random.default_rng(2)
    model = _mlp(side, rng)
    model[0].register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    model[2].register_forward_hook(lambda m, args, out: out + 1)
    model[2].register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 3,))
    model[1].register_full_backward_hook(lambda m, grad_input, grad_output: (grad_input[0] * 0.5,))
    x = side.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    out = model(x)
    (out ** 2).sum().backward()
    return _finish(side, Log(side), model, x, out)


def several_inputs_and_outputs(side: SimpleNamespace) -> dict[str, Any]:
    """forward(a, scale, b): a tensor needing grad, a float, a tensor that needs none; two
    outputs of which only the first is used. grad_input and grad_output carry None there."""
    nn = side.nn

    class Pair(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, a: Any, scale: float, b: Any) -> tuple[Any, Any]:
            h = self.lin(a)
            return h * scale + b, h.tanh()

    rng = np.random.default_rng(3)
    model = Pair()
    model.load_state_dict({k: side.tensor(rng.normal(size=tuple(v.shape))) for k, v in model.state_dict().items()})
    model.double()
    log = Log(side)
    log.attach("pair", model)
    x = side.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    first, _ = model(x, 0.5, side.tensor(rng.normal(size=(2, 3))))
    first.sum().backward()
    return _finish(side, log, model, x, first)


def order_and_removal(side: SimpleNamespace) -> dict[str, Any]:
    """prepend=True, handle.remove(), a handle as a context manager, global hooks before local ones."""
    rng = np.random.default_rng(4)
    model = _mlp(side, rng)
    layer = model[0]
    events: list[str] = []

    def tag(text: str) -> Callable[..., None]:
        return lambda *args: events.append(text)

    layer.register_forward_hook(tag("forward a"))
    layer.register_forward_hook(tag("forward b (prepended)"), prepend=True)
    removed = layer.register_forward_hook(tag("forward c (removed)"))
    layer.register_full_backward_hook(tag("backward a"))
    layer.register_full_backward_hook(tag("backward b (prepended)"), prepend=True)
    removed.remove()
    x = side.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    with side.global_forward_hook(lambda m, args, out: events.append(f"global forward {type(m).__name__}")), \
            side.global_backward_hook(lambda m, gi, go: events.append(f"global backward {type(m).__name__}")), \
            layer.register_forward_pre_hook(tag("forward_pre (context)")):
        model(x).sum().backward()
    events.append("-- after the with block --")
    model(x).sum().backward()
    return {"events": events}


SCENARIOS: dict[str, Callable[[SimpleNamespace], dict[str, Any]]] = {
    "all_hooks": lambda side: all_hooks(side, True),
    "all_hooks_input_without_grad": lambda side: all_hooks(side, False),
    "replacing_hooks": replacing_hooks,
    "several_inputs_and_outputs": several_inputs_and_outputs,
    "order_and_removal": order_and_removal,
}


def run(side: SimpleNamespace, scenario: str) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Full backward hook is firing when ... no inputs require gradients"
        return SCENARIOS[scenario](side)


def record() -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    side = torch_side()
    for scenario in SCENARIOS:
        for key, value in run(side, scenario).items():
            arrays[f"{scenario}/{key}"] = np.array(value) if key != "events" else np.array(value, dtype=np.str_)
    return arrays


if __name__ == "__main__":
    import torch

    arrays = record()
    np.savez_compressed(REFERENCE, **arrays)
    print(f"wrote {REFERENCE.name} ({REFERENCE.stat().st_size} bytes, torch {torch.__version__}, {len(arrays)} arrays)")
