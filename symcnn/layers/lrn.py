"""Local response normalization: ``lrn`` (PyTorch's ``LocalResponseNorm`` with a window of 5 channels)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from .base import FP32, Layer, LayerProblem, SaveContext, Shape, register
from .imported import Imported

if TYPE_CHECKING:
    from torch import nn

SIZE = 5  # the window of nn.LocalResponseNorm as symcnn.to_torch builds it


@register
@dataclass(frozen=True)
class LRN(Layer):
    """``lrn``: local response normalization, a new tensor, no parameters."""

    rank: ClassVar[int] = 55
    words: ClassVar[dict[str, dict[str, Any]]] = {"lrn": {}}
    hint = "local response normalization is lrn"
    syntax: ClassVar[str] = "`lrn`"
    doc = "local response normalization (a window of 5 channels)"
    saves = ("input", "lrn")
    saves_doc = "its input, the padded squares (C+4 channels), k+α·mean and its β-th power"
    torch_node = "`AvgPool3DBackward0`, `PowBackward0`, `DivBackward0`"
    autocast = "fp32"
    imports = ("LocalResponseNorm",)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if a.get("size") != SIZE:
            raise LayerProblem(f"local response normalization over {a.get('size')} channels (lrn is {SIZE})")
        return cls()

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        """F.local_response_norm: the padded squares, k + alpha*mean and its beta-th power (fp32 under amp)."""
        x = s.input
        c = s.row.output[2]
        inner = FP32 if s.amp else x.itemsize
        padded = inner if s.device == "cpu" else x.itemsize
        return [("input", s.saved_input()),
                ("padded squares", s.new(arith.div(x.elements, c) * (c + SIZE - 1), padded)),
                ("k + alpha*mean", s.new(x.elements, inner)), ("its power", s.new(x.elements, inner))]

    def transient(self, x: Shape, out: Shape, input_elements: Any, itemsize: int, row: Any) -> Any:
        """The squares and the padded squares at once, and later four tensors of its input's size (in
        ``div.mul(alpha).add(k)``: the input, ``div`` and both results)."""
        c = x[2]
        return arith.maximum(arith.div(input_elements, c) * (c + SIZE - 1), 2 * input_elements) * itemsize

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return nn.LocalResponseNorm(size=SIZE)
