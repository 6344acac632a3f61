"""Batch normalization: ``bn``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from . import derive as d
from .base import FP32, Cost, Layer, SaveContext, Shape, elements, register

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class BatchNorm(Layer):
    """``bn``: 2C parameters (scale, shift) and 2C buffers (running mean and variance)."""

    rank: ClassVar[int] = 50
    words: ClassVar[dict[str, dict[str, Any]]] = {"bn": {}}
    hint = "batch normalization is bn"
    syntax: ClassVar[str] = "`bn`"
    doc = ("batch normalization: 2C parameters (scale, shift) and 2C buffers (running mean, variance), reported "
           "apart")
    params_doc = "2C"
    saves = ("input", "stats")
    saves_doc = "its input + batch mean and inverse std (2C values; fp32 on CUDA, the parameter dtype on CPU)"
    torch_node = "`NativeBatchNormBackward0`"
    parametric = True
    flat = "any"

    def cost(self, x: Shape) -> Cost:
        c = x[2]
        return Cost(x, c, c, 2 * c, 0, elements(x), arith.factor(c))

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        p = d.Step("P", f"2{d.C}", d.product(d.number(2), d.value(t, x[2])), "params")
        return d.Derived("Batch normalization (scale and shift)", (p,))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        stats = max(FP32, s.param_size) if s.device == "cuda" else s.param_size
        return [("input", s.saved_input()), ("mean and invstd", s.new(2 * s.row.weights, stats))]

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return (nn.BatchNorm1d if flat else nn.BatchNorm2d)(x[2])
