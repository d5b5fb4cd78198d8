"""Find a Graphviz renderer, so graphs draw on machines with no system Graphviz.

The ``graphviz`` Python package only writes DOT text; to turn it into SVG it runs the program
named by ``graphviz.backend.dot_command.DOT_BINARY`` (``dot`` by default) and fails with
``ExecutableNotFound`` when there is none. We point it at, in order:

1. ``$MINITORCH_DOT`` if set (a path or a command name; the test suite pins ``graphviz-pure`` so
   stored SVGs are reproducible byte for byte);
2. a system ``dot`` on PATH;
3. ``graphviz-pure``, the self-contained renderer installed with minitorch from PyPI. A virtual
   environment's ``bin/`` is not on PATH unless activated, so we also look next to the running
   interpreter.

The renderer is looked up again every time a graph is rendered (``render``), so a setting changed
in the middle of a session takes effect — or fails with :class:`RendererNotFoundError`, which names
the setting and every place that was tried — instead of being silently ignored.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

import graphviz
from graphviz.backend import dot_command

PURE = "graphviz-pure"
ENV = "MINITORCH_DOT"


class RendererNotFoundError(RuntimeError):
    """No Graphviz program to render a graph with: ``$MINITORCH_DOT`` names none, or none is installed."""


def _script_dirs() -> list[str]:
    dirs = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    return [d for d in dict.fromkeys(dirs) if d]


def _candidates(preference: str | None) -> tuple[list[str], str | None]:
    """The program names to try, and the setting they came from (None: the defaults)."""
    if preference is not None:
        return [preference], "the argument"
    setting = os.environ.get(ENV) or None
    if setting:
        return [setting], f"{ENV}={setting!r}"
    return ["dot", PURE], None


def _lookup(name: str, tried: list[str]) -> str | None:
    if os.path.sep in name or (os.path.altsep and os.path.altsep in name):
        tried.append(name)
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    for directory in _script_dirs():
        tried.append(os.path.join(directory, name))
        found = shutil.which(name, path=directory)
        if found:
            return found
    tried.append(f"{name} on PATH")
    return shutil.which(name)


def find_renderer(preference: str | None = None) -> str | None:
    """The path of the program to render DOT with, or None when there is none."""
    names, _ = _candidates(preference)
    for name in names:
        found = _lookup(name, [])
        if found:
            return found
    return None


def require_renderer(preference: str | None = None) -> str:
    """The renderer's path; raises :class:`RendererNotFoundError` naming the setting and what was tried."""
    names, setting = _candidates(preference)
    tried: list[str] = []
    for name in names:
        found = _lookup(name, tried)
        if found:
            return found
    where = "; ".join(tried)
    if setting is not None:
        raise RendererNotFoundError(
            f"draw_graph: {setting} does not name a Graphviz program that can run (tried: {where}). "
            f"Unset {ENV} to use the bundled renderer '{PURE}', or set it to the path of a Graphviz `dot`."
        )
    raise RendererNotFoundError(
        f"draw_graph: no Graphviz renderer found (tried: {where}). minitorch installs the self-contained "
        f"renderer '{PURE}' from PyPI with `pip install minitorch`; check that it is installed in this "
        f"environment (`{sys.executable} -m pip install {PURE}`), or install system Graphviz (`dot`)."
    )


def configure_renderer(preference: str | None = None) -> str | None:
    """Point the graphviz package at the best renderer available; return its path (None: none found)."""
    path = find_renderer(preference)
    if path is not None:
        dot_command.DOT_BINARY = path
    return path


def renderer_name() -> str:
    """A one-line description of the renderer in use (for error messages and the README)."""
    binary = dot_command.DOT_BINARY
    return f"{binary} ({'graphviz-pure' if PURE in str(binary) else 'system Graphviz'})"


def render(graph: graphviz.Digraph, format: str) -> bytes:
    """Render ``graph`` to ``format`` ("svg", "png") with the renderer chosen now (see module docstring).

    Raises:
        RendererNotFoundError: no renderer (the message names ``$MINITORCH_DOT`` when it is the cause).
        graphviz.CalledProcessError: the renderer ran and failed.
    """
    path = require_renderer()
    dot_command.DOT_BINARY = path
    try:
        return graph.pipe(format=format, quiet=True)
    except graphviz.ExecutableNotFound:  # removed between the lookup and the run
        raise RendererNotFoundError(f"draw_graph: the renderer {path} disappeared while rendering") from None


def to_svg(graph: graphviz.Digraph) -> str:
    """Render a graph to SVG text, with an actionable error when no renderer can be found."""
    return render(graph, "svg").decode("utf-8")
