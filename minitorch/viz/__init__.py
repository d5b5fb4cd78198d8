"""Pictures of what you built: computation graphs (graphviz) and plots (matplotlib)."""

from .graph import draw_graph
from .modules import draw_module_graph
from .plots import (plot_confusion_matrix, plot_decision_boundary, plot_history, plot_images, plot_loss_curve,
                    plot_lr_schedule, plot_trajectories)
from .stepper import BackwardStepper, step_through_backward
from .render import RendererNotFoundError, configure_renderer, find_renderer, to_svg

__all__ = ["draw_graph", "step_through_backward", "BackwardStepper", "draw_module_graph", "RendererNotFoundError", "configure_renderer", "find_renderer", "to_svg",
           "plot_loss_curve", "plot_decision_boundary",
           "plot_history", "plot_confusion_matrix", "plot_images", "plot_trajectories", "plot_lr_schedule"]
