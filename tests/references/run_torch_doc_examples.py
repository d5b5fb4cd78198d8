"""Run PyTorch's own docstring examples on minitorch: how much of what a PyTorch user reads works here.

    .venv/bin/python tests/references/run_torch_doc_examples.py [--verbose] [--json FILE]

For every name minitorch exports (``minitorch.*``, ``minitorch.nn.*``, ``minitorch.nn.functional.*``
and the methods of ``minitorch.Tensor``) that torch also has, the examples (``>>>`` lines) of torch's
installed docstring are run twice: once with torch, once with ``torch``, ``nn`` and ``F`` bound to
minitorch, minitorch.nn and minitorch.nn.functional (the text is not rewritten, so the very same
code runs). Each expression's value (and what ``print`` is given) is compared: tensors by values (close, NaN equal), dtype and
shape — or, when the example draws random numbers, by shape and dtype only (the two libraries'
generators differ); other values by equality.

A docstring *passes* when all of its examples run on minitorch whenever they run on torch, and every
value matches. Needs torch. Prints the pass rate and, with --verbose, why each failing one fails.
"""

from __future__ import annotations

import argparse
import doctest
import json
import math
import os
import re
import tempfile
import warnings
from typing import Any

import numpy as np

RANDOM = re.compile(r"\b(new_empty|randn?|randint|randperm|rand_like|randn_like|normal_|uniform_|dropout|Dropout|manual_seed"
                    r"|empty|bernoulli|multinomial|xavier|kaiming|orthogonal|trunc_normal|init\.)")
IMPORTS = [(re.compile(r"^\s*import torch\.nn\.functional as F\s*$"), "F = torch.nn.functional"),
           (re.compile(r"^\s*import torch\.nn as nn\s*$"), "nn = torch.nn"),
           (re.compile(r"^\s*from torch import nn\s*$"), "nn = torch.nn"),
           (re.compile(r"^\s*import torch\s*$"), "pass")]


def names(minitorch: Any, torch: Any) -> list[tuple[str, Any]]:
    """(label, torch object) for every name minitorch exports that torch has too."""
    import minitorch.nn as mnn
    import minitorch.nn.functional as mF

    out = []
    for mod, tmod, prefix in ((minitorch, torch, "torch"), (mnn, torch.nn, "torch.nn"),
                              (mF, torch.nn.functional, "torch.nn.functional")):
        for name in getattr(mod, "__all__", []):
            if hasattr(tmod, name) and not isinstance(getattr(tmod, name), type(torch)):
                out.append((f"{prefix}.{name}", getattr(tmod, name)))
    for name in dir(minitorch.Tensor):
        if not name.startswith("_") and hasattr(torch.Tensor, name):
            out.append((f"torch.Tensor.{name}", getattr(torch.Tensor, name)))
    return out


def examples(obj: Any) -> list[str]:
    doc = getattr(obj, "__doc__", None) or ""
    try:
        found = doctest.DocTestParser().get_examples(doc)
    except ValueError:
        return []
    sources = []
    for ex in found:
        src = ex.source
        for pattern, replacement in IMPORTS:
            src = pattern.sub(replacement, src)
        sources.append(src)
    return sources


def run(sources: list[str], env: dict[str, Any]) -> list[Any]:
    """Each example's value (expressions), or ('error', class name) where it raised; stops at an error."""
    results: list[Any] = []
    for src in sources:
        try:
            try:
                code = compile(src, "<example>", "eval")
            except SyntaxError:
                exec(compile(src, "<example>", "exec"), env)  # noqa: S102 - torch's own examples
                results.append(None)
                continue
            results.append(eval(code, env))  # noqa: S307
        except Exception as e:  # noqa: BLE001 - recorded
            results.append(("error", type(e).__name__, str(e)[:150]))
            break
    return results


def same(a: Any, b: Any, random: bool) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, random) for x, y in zip(a, b))
    ta, tb = hasattr(a, "detach") and hasattr(a, "shape"), hasattr(b, "shape") and hasattr(b, "data")
    if ta and tb:
        x = a.detach().cpu().numpy() if a.dtype != getattr(a, "dtype", None) or True else None
        y = np.asarray(b.detach().numpy())
        if tuple(x.shape) != tuple(y.shape) or str(a.dtype).replace("torch.", "") != str(y.dtype):
            return False
        if random:
            return True
        if x.dtype.kind in "fc" or y.dtype.kind == "f":
            return bool(np.allclose(x.astype(np.float64), y.astype(np.float64), rtol=1e-4, atol=1e-5, equal_nan=True))
        return bool(np.array_equal(x, y))
    if type(a).__name__ == "Size":
        return tuple(a) == tuple(b)
    if isinstance(a, float) and isinstance(b, float):
        return random or math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) or (math.isnan(a) and math.isnan(b))
    if type(a).__module__.startswith("torch") or a is None or type(a).__module__.split(".")[0] not in ("builtins",
                                                                                                     "numpy"):
        return True  # modules, generators, handles, matplotlib artists...: that it ran is what counts
    return random or a == b


def check(label: str, obj: Any, torch: Any, minitorch: Any) -> tuple[str, str] | None:
    """None when there are no examples; else (verdict, reason) with verdict 'pass' or 'fail'."""
    sources = examples(obj)
    if not sources:
        return None
    random = bool(RANDOM.search("\n".join(sources)))
    torch.manual_seed(0)
    minitorch.manual_seed(0)
    shown = {"print": lambda *values, **_: values}  # print(x) gives its values, to compare (not their text)
    # Each library's grad mode is restored afterwards: set_grad_enabled's example ends with it off.
    with torch.enable_grad():
        expected = run(sources, {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "np": np, **shown})
    import minitorch.nn as mnn
    import minitorch.nn.functional as mF

    with minitorch.enable_grad():
        got = run(sources, {"torch": minitorch, "nn": mnn, "F": mF, "np": np, **shown})
    for i, (e, g) in enumerate(zip(expected, got)):
        if isinstance(e, tuple) and len(e) == 3 and isinstance(e[0], str) and e[0] == "error":
            return "pass", ""  # torch's own example stops here; what came before matched
        if isinstance(g, tuple) and len(g) == 3 and isinstance(g[0], str) and g[0] == "error":
            return "fail", f"example {i + 1} `{sources[i].strip()[:80]}` raised {g[1]}: {g[2]}"
        try:
            ok = same(e, g, random)
        except Exception as err:  # noqa: BLE001
            ok, g = False, err
        if not ok:
            return "fail", f"example {i + 1} `{sources[i].strip()[:80]}`: torch {str(e)[:80]!r}, minitorch {str(g)[:80]!r}"
    if len(got) < len(expected):
        return "fail", "stopped early"
    return "pass", ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    import torch

    import minitorch

    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    os.chdir(tempfile.mkdtemp())  # some examples write files (torch.save(x, "tensor.pt"))
    verdicts = {}
    for label, obj in names(minitorch, torch):
        result = check(label, obj, torch, minitorch)
        if result is not None:
            verdicts[label] = result
    passed = [k for k, (v, _) in verdicts.items() if v == "pass"]
    print(f"{len(passed)}/{len(verdicts)} docstrings with examples pass "
          f"({100 * len(passed) / max(len(verdicts), 1):.1f} %)")
    if args.verbose:
        for k, (v, why) in sorted(verdicts.items()):
            if v != "pass":
                print(f"  {k}: {why}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: {"verdict": v, "why": w} for k, (v, w) in verdicts.items()}, f, indent=1)


if __name__ == "__main__":
    main()
