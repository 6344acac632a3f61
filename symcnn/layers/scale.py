"""Layer scale: ``scale``, one learned factor per channel (ConvNeXt's ``layer_scale``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from . import derive as d
from .base import Cost, Layer, Shape, elements, register

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class LayerScale(Layer):
    """``scale``: x times a learned vector of C factors; its element-wise multiply counts 0 MACs.

    PyTorch's flop counter counts no element-wise multiply, so neither does the MACs column.
    """

    rank: ClassVar[int] = 56
    words: ClassVar[dict[str, dict[str, Any]]] = {"scale": {}}
    hint = "a layer scale (one learned factor per channel) is scale"
    syntax: ClassVar[str] = "`scale`"
    doc = "layer scale: x times C learned factors, one per channel (ConvNeXt); 0 MACs, as PyTorch's flop counter"
    params_doc = "C"
    saves = ("input",)
    saves_doc = "its input (the factors are parameters); the output takes the wider type of input and factors"
    torch_node = "`MulBackward0`"
    autocast = "promote"
    parametric = True

    def cost(self, x: Shape) -> Cost:
        return Cost(x, x[2], 0, 0, 0, elements(x), arith.factor(x[2]))

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        p = d.Step("P", d.C, d.value(t, x[2]), "params")
        return d.Derived("Layer scale (one factor per channel)", (p,))

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        import torch
        from torch import nn

        class LayerScale(nn.Module):
            def __init__(self, channels: int) -> None:
                super().__init__()
                self.factors = nn.Parameter(torch.full((channels, 1, 1), 1e-6))

            def forward(self, value: torch.Tensor) -> torch.Tensor:
                return self.factors * value

        return LayerScale(x[2])
