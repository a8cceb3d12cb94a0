"""Network builders, an honest parameter count, and a reset that reaches every layer."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

from torch import nn


def make_mlp(
    n_inputs: int,
    hidden: int | Sequence[int],
    n_outputs: int = 1,
    activation: type[nn.Module] = nn.ReLU,
) -> nn.Sequential:
    """Build a fully connected network as an ``nn.Sequential`` stack.

    ``hidden`` is the width of the single hidden layer, or a sequence of widths. Every hidden
    layer is followed by ``activation``; the output layer is linear.

    >>> make_mlp(2, 2)  # the tutorial's Fig. 1 network: 2 -> 2 ReLU -> 1
    Sequential(
      (0): Linear(in_features=2, out_features=2, bias=True)
      (1): ReLU()
      (2): Linear(in_features=2, out_features=1, bias=True)
    )
    """
    widths = [int(hidden)] if isinstance(hidden, Integral) else [int(w) for w in hidden]
    if not widths or any(w < 1 for w in widths):
        raise ValueError(f"hidden widths must be positive integers, got {hidden!r}")
    layers: list[nn.Module] = []
    fan_in = n_inputs
    for width in widths:
        layers += [nn.Linear(fan_in, width), activation()]
        fan_in = width
    layers.append(nn.Linear(fan_in, n_outputs))
    return nn.Sequential(*layers)


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Count every scalar parameter: ``sum(p.numel() for p in model.parameters())``.

    Weights *and* biases count, element by element (the 2 -> 2 -> 1 network has 9).
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def reset_parameters(model: nn.Module) -> nn.Module:
    """Re-initialise every layer of ``model`` in place, however deeply it is nested.

    Walks ``model.modules()`` (all descendants, including the members of an ``nn.Sequential``
    inside a custom module) rather than ``model.children()``, which sees only the top level.
    Returns the model. Seed torch first for a reproducible reset.
    """
    for module in model.modules():
        reset = getattr(module, "reset_parameters", None)
        if callable(reset):
            reset()
    return model
