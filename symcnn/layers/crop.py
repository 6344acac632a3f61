"""Center crop: ``crop<h>x<w>``, ``crop{h}x{w}``, or ``crop`` to the size of the first branch of its join."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from .base import Cost, Layer, LayerProblem, Shape, Slot, count, register

if TYPE_CHECKING:
    from torch import nn


def fitted(layer: Any, target: Shape | None, word: str) -> Any:
    """A sizeless crop or resize given the size of the first branch of the concat or res it is in."""
    if layer.size is not None:
        return layer
    if target is None:
        raise LayerProblem(f"{word} needs a size ({word}{{h}}x{{w}}), or a place in a later branch of concat or "
                           "res, where it takes the first branch's size")
    return dataclasses.replace(layer, size=(target[0], target[1]))


@register
@dataclass(frozen=True)
class Crop(Layer):
    """``crop{h}x{w}``: the central h×w of each channel (U-Net's crop of the skip connection); a view, no cost."""

    size: Any = None

    rank: ClassVar[int] = 45
    words: ClassVar[dict[str, dict[str, Any]]] = {"crop": {}}
    head = Slot("size", "an output size", pair=True)
    hint = "a center crop is crop{h}x{w}, or crop alone in a later branch of concat or res"
    syntax: ClassVar[str] = "`crop<h>x<w>`, `crop`"
    doc = ("center crop to h×w (U-Net); `crop` alone, in a later branch of `concat` or `res`, crops to the first "
           "branch's size; a view: no new tensor")
    saves_doc = "nothing"
    torch_node = "`SliceBackward0`"
    in_place = True
    view = True

    def fit(self, target: Shape | None) -> Layer:
        return fitted(self, target, "crop")  # type: ignore[no-any-return]

    def cost(self, x: Shape) -> Cost:
        if self.size is None:
            fitted(self, None, "crop")
        h, w = (count(v, what) for v, what in zip(self.size, ("the crop height", "the crop width")))
        for size, given, dim in ((h, x[0], "height"), (w, x[1], "width")):
            if arith.numeric(size) and arith.numeric(given) and size > given:
                raise LayerProblem(f"the crop {dim} {size} is larger than the input {dim} {given}")
        return Cost((h, w, x[2]), 0, 0, 0, 0, 0)

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        import torch
        from torch import nn

        top, left = (x[0] - out[0]) // 2, (x[1] - out[1]) // 2
        height, width = out[0], out[1]

        class CenterCrop(nn.Module):
            def forward(self, value: torch.Tensor) -> torch.Tensor:
                return value[:, :, top:top + height, left:left + width]

        return CenterCrop()
