"""Pictures of what you built: computation graphs (graphviz) and plots (matplotlib)."""

from .graph import draw_graph
from .render import configure_renderer, find_renderer, to_svg

__all__ = ["draw_graph", "configure_renderer", "find_renderer", "to_svg"]
