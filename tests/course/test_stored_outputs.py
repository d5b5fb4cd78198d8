"""Stored notebook outputs that a learner sees on first open: graphs render untrusted, and fit.

A freshly cloned notebook is untrusted. JupyterLab then renders each output with the richest
mimetype whose renderer is marked safe; an SVG could carry scripts, so it is skipped, and a graph
stored as SVG alone shows as its text repr ("<ComputationGraph of 14 values ...>") until the learner
runs the cell. The ranks and safety flags below are JupyterLab 4's standard renderers
(@jupyterlab/rendermime, factories.ts). VS Code and GitHub render the same bundle.
"""

import base64
import re
import struct
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "lessons").glob("*.ipynb"))

# (mimetype, safe) in JupyterLab's order of preference.
JUPYTERLAB_RENDERERS = [
    ("text/html", True),  # sanitized when untrusted
    ("text/markdown", True),
    ("text/latex", True),
    ("image/svg+xml", False),
    ("image/bmp", True), ("image/png", True), ("image/jpeg", True), ("image/gif", True), ("image/webp", True),
    ("application/javascript", False),
    ("text/plain", True),
]
# JupyterLab's output column is about 900 px wide.
MAX_GRAPH_WIDTH_PX = 900


def shown_untrusted(bundle: dict) -> str | None:
    """The mimetype JupyterLab renders for this output bundle in an untrusted notebook."""
    return next((mime for mime, safe in JUPYTERLAB_RENDERERS if safe and mime in bundle), None)


def graph_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if "image/svg+xml" in data:
                yield f"{path.parent.name}/{path.name}, cell {index}", output


def test_the_untrusted_choice_is_modelled_on_jupyterlab():
    assert shown_untrusted({"image/svg+xml": "<svg/>", "text/plain": "<ComputationGraph ...>"}) == "text/plain"
    assert shown_untrusted({"image/svg+xml": "<svg/>", "image/png": "iVBOR", "text/plain": "x"}) == "image/png"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_stored_graph_renders_in_an_untrusted_notebook_and_fits_the_column(path):
    for where, output in graph_outputs(path):
        data = output["data"]
        assert shown_untrusted(data) == "image/png", \
            f"{where}: an untrusted notebook would show {shown_untrusted(data)!r}, not the graph (no PNG beside the SVG)"
        svg_width = re.search(r'<svg width="([\d.]+)pt"', data["image/svg+xml"])
        assert svg_width, f"{where}: SVG without a width in pt"
        px = float(svg_width.group(1)) * 4 / 3
        assert px <= MAX_GRAPH_WIDTH_PX, f"{where}: SVG graph {px:.0f} px wide, the output column is ~900 px"
        png = base64.b64decode(data["image/png"])
        width = output.get("metadata", {}).get("image/png", {}).get("width") or struct.unpack(">I", png[16:20])[0]
        assert width <= MAX_GRAPH_WIDTH_PX, f"{where}: PNG graph {width} px wide"
