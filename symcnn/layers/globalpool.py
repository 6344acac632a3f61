"""Global pooling: ``gap`` and ``gmp`` to 1×1×C."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .base import INDEX_BYTES, Cost, Layer, Shape, register

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class GlobalPool(Layer):
    """``gap`` and ``gmp``: global average or max pool to 1x1xC."""

    op: str

    rank: ClassVar[int] = 31
    words: ClassVar[dict[str, dict[str, Any]]] = {"gap": {"op": "avg"}, "gmp": {"op": "max"}}
    hint = "global pooling is gap (average) or gmp (max)"
    syntax: ClassVar[str] = "`gap`, `gmp`"
    doc = "global average / max pool to 1×1×C"
    saves_doc = "gap: nothing (a mean); gmp: its input + int64 indices (C values)"
    torch_node = "`MeanBackward1`, `AdaptiveMaxPool2DBackward0`"

    @property
    def saves(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("input", "indices") if self.op == "max" else ()

    def cost(self, x: Shape) -> Cost:
        return Cost((1, 1, x[2]), 0, 0, 0, 0, x[2])

    def transient(self, x: Shape, out: Shape, input_elements: Any, itemsize: int, row: Any) -> Any:
        return row.activations * INDEX_BYTES if self.op == "max" else 0

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return nn.AdaptiveAvgPool2d(1) if self.op == "avg" else nn.AdaptiveMaxPool2d(1)
