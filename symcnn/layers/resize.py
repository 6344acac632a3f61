"""Resize to a size: ``resize{h}x{w}[mode=…]``, or ``resize`` to the size of the first branch of its join."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..values import Word
from .base import Cost, Layer, LayerProblem, Option, Shape, Slot, count, elements, register
from .crop import fitted

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class Resize(Layer):
    """``resize{h}x{w}``: interpolate each channel to h×w, nearest (default) or bilinear; no parameters, 0 MACs.

    ``resize{H_in}x{W_in}`` resizes to the size entering the block (DeepLab's image pooling);
    ``resize{H}x{W}`` to the network's input (the segmentation heads' last step).
    """

    size: Any = None
    mode: Any = Word("nearest")

    rank: ClassVar[int] = 41
    words: ClassVar[dict[str, dict[str, Any]]] = {"resize": {}}
    head = Slot("size", "an output size", pair=True)
    options = (Option("mode", (), "value", ("nearest", "bilinear")),)
    hint = "a resize is resize{h}x{w}, for example resize{H}x{W}[mode=bilinear]"
    syntax: ClassVar[str] = "`resize{h}x{w}`, `resize`"
    doc = ("interpolate to h×w (`mode=nearest` or `bilinear`; PyTorch's `interpolate` to a size): `resize{H_in}x{W_in}` "
           "to the size entering the block, `resize` alone to the first branch of its `concat` or `res`; no cost")
    saves_doc = "nothing"
    torch_node = "`UpsampleNearest2DBackward0`, `UpsampleBilinear2DBackward0`"
    autocast = "fp32 on cuda"

    def fit(self, target: Shape | None) -> Layer:
        return fitted(self, target, "resize")  # type: ignore[no-any-return]

    def cost(self, x: Shape) -> Cost:
        if self.size is None:
            fitted(self, None, "resize")
        if self.mode not in (Word("nearest"), Word("bilinear")):
            raise LayerProblem(f"the mode is {self.mode}, but must be nearest or bilinear")
        out = (count(self.size[0], "the output height"), count(self.size[1], "the output width"), x[2])
        return Cost(out, 0, 0, 0, 0, elements(out))

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        import torch
        import torch.nn.functional as F
        from torch import nn

        size, mode = (out[0], out[1]), self.mode.word

        class Resize(nn.Module):
            def forward(self, value: torch.Tensor) -> torch.Tensor:
                return F.interpolate(value, size=size, mode=mode, **({"align_corners": False}
                                                                     if mode == "bilinear" else {}))

        return Resize()
