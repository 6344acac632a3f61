"""Adaptive average pooling to a fixed size: ``apool<k>``, ``apool<h>x<w>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from .base import Cost, Layer, LayerProblem, SaveContext, Shape, Slot, count, elements, register

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class AdaptivePool(Layer):
    """``apool<k>`` (``apool<h>x<w>``): adaptive average pool to a fixed k x k output, whatever the input size.

    >>> import symcnn
    >>> symcnn.parse("input HxWx256\\napool6").analyze().rows[-1].output
    (6, 6, 256)
    """

    size: tuple[Any, Any]

    rank: ClassVar[int] = 32
    words: ClassVar[dict[str, dict[str, Any]]] = {"apool": {}}
    forms: ClassVar[tuple[str, ...]] = ("function",)
    head = Slot("size", "an output size", pair=True)
    hint = "an adaptive average pool to a k x k output is apool<k>, for example apool6"
    syntax: ClassVar[str] = "`apool<k>`, `apool<h>x<w>`"
    doc = "adaptive average pool to a fixed k×k (h×w) output whatever the input size (PyTorch's `AdaptiveAvgPool2d`)"
    saves = ("input",)
    saves_doc = "its input (to 1×1: a mean, nothing)"
    torch_node = "`AdaptiveAvgPool2DBackward0`"

    def cost(self, x: Shape) -> Cost:
        out = (count(self.size[0], "the output height"), count(self.size[1], "the output width"), x[2])
        return Cost(out, 0, 0, 0, 0, elements(out))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        h, w, _ = s.row.output
        if not (arith.numeric(h) and arith.numeric(w)):
            raise LayerProblem(f"the training memory of an apool to {arith.text(h)}x{arith.text(w)} depends on "
                               "whether that is 1x1; give its size a value")
        return [] if h * w == 1 else [("input", s.saved_input())]

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return nn.AdaptiveAvgPool2d(out[:2])
