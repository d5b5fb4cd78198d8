"""Optimizers and learning-rate schedulers (lessons 10 and 11), with PyTorch's names, defaults and
update rules, step for step.

    minitorch.optim.Optimizer       param_groups, per-parameter state, step, zero_grad, state_dict
    minitorch.optim.SGD             (Nesterov) momentum, dampening, weight decay, maximize
    minitorch.optim.RMSprop         (alias RMSProp) centered, momentum, weight decay
    minitorch.optim.Adam            AMSGrad, weight decay (L2), maximize
    minitorch.optim.AdamW           Adam with decoupled weight decay
    minitorch.optim.lr_scheduler    StepLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau, ...
"""

from . import lr_scheduler
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSProp, RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "RMSProp", "Adam", "AdamW", "lr_scheduler"]
