"""The public surface of ``import minitorch`` follows PyTorch's top-level names."""

import minitorch


def test_star_import_exposes_the_public_api():
    namespace: dict = {}
    exec("from minitorch import *", namespace)
    for name in ["Value", "Tensor", "tensor", "zeros", "randn", "manual_seed", "no_grad", "cat", "stack",
                 "nn", "optim", "data", "save", "load", "draw_graph"]:
        assert name in namespace, f"`from minitorch import *` does not provide {name}"


def test_every_name_in_all_exists():
    missing = [name for name in minitorch.__all__ if not hasattr(minitorch, name)]
    assert not missing, f"minitorch.__all__ lists names the package does not define: {missing}"
