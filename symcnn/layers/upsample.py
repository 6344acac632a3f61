"""Nearest-neighbour upsampling by a factor: ``upsample<f>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from .base import Cost, Layer, LayerProblem, Shape, Slot, elements, register, spatial

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class Upsample(Layer):
    """``upsample<f>``: spatial upsampling by the factor f (nearest neighbour); sizes ⌊H·f⌋ × ⌊W·f⌋."""

    factor: Any

    rank: ClassVar[int] = 40
    words: ClassVar[dict[str, dict[str, Any]]] = {"upsample": {}}
    head = Slot("factor", "a factor")
    hint = "upsampling is upsample<f>, for example upsample2"
    syntax: ClassVar[str] = "`upsample<f>`"
    doc = "nearest-neighbour spatial upsampling by the factor f (any positive number: `upsample{3/2}`)"
    saves_doc = "nothing"
    torch_node = "`UpsampleNearest2DBackward0`"
    autocast = "fp32 on cuda"

    def cost(self, x: Shape) -> Cost:
        h, w, c = x
        f = self.factor
        if arith.numeric(f) and not f > 0:
            raise LayerProblem(f"the factor is {f}, but must be a positive number")
        out = (spatial(arith.floor(h * f), "height", h), spatial(arith.floor(w * f), "width", w), c)
        return Cost(out, 0, 0, 0, 0, elements(out))

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        if type(self.factor) is int:
            return nn.Upsample(scale_factor=self.factor, mode="nearest")
        # torch multiplies by a float factor: 49 * (1/49) gives 0.999…, which floors to 0, not 1.
        return nn.Upsample(size=out[:2], mode="nearest")
