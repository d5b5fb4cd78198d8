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


def _script_dirs() -> list[str]:
    dirs = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    return [d for d in dict.fromkeys(dirs) if d]


def find_renderer(preference: str | None = None) -> str | None:
    """The path of the program to render DOT with, or None when there is none."""
    preference = preference if preference is not None else os.environ.get("MINITORCH_DOT") or None
    candidates = [preference] if preference else ["dot", PURE]
    for name in candidates:
        if os.path.sep in name:
            if os.access(name, os.X_OK):
                return name
            continue
        for directory in _script_dirs():
            found = shutil.which(name, path=directory)
            if found:
                return found
        found = shutil.which(name)
        if found:
            return found
    return None


def configure_renderer(preference: str | None = None) -> str | None:
    """Point the graphviz package at the best renderer available; return its path."""
    path = find_renderer(preference)
    if path is not None:
        dot_command.DOT_BINARY = path
    return path


def renderer_name() -> str:
    """A one-line description of the renderer in use (for error messages and the README)."""
    binary = dot_command.DOT_BINARY
    return f"{binary} ({'graphviz-pure' if PURE in str(binary) else 'system Graphviz'})"


def to_svg(graph: graphviz.Digraph) -> str:
    """Render a graph to SVG text, with an actionable error when no renderer can be found."""
    try:
        return graph.pipe(format="svg", encoding="utf-8", quiet=True)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(
            "draw_graph: no Graphviz renderer found. minitorch installs the self-contained "
            "renderer 'graphviz-pure' from PyPI; reinstall with `pip install graphviz-pure`, "
            "or install system Graphviz (`dot`)."
        ) from None
