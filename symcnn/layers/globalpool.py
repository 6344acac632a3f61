"""Global pooling: ``gap`` and ``gmp`` to 1×1×C."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .base import INDEX_BYTES, Cost, Layer, LayerProblem, Shape, register
from .imported import Imported, imported_pair

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

    imports = ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d")

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        """An adaptive pool: to 1x1 a global pool, to another size (average only) an ``apool``."""
        size = a.get("output_size")
        size = (size, size) if size is None or isinstance(size, int) else tuple(size)
        op = "max" if "max" in a.op.lower() else "avg"
        if size == (1, 1):
            return cls(op)
        if op == "max" or None in size:
            raise LayerProblem(f"an adaptive {op} pool to {size}")
        from .apool import AdaptivePool

        return AdaptivePool(imported_pair(size))

    @property
    def forms(self) -> tuple[str, ...]:  # type: ignore[override]
        """``torch=function`` (F.adaptive_*_pool2d); a mean also as ``torch=mean`` (``x.mean([2, 3])``)."""
        return ("function", "mean") if self.op == "avg" else ("function",)

    @property
    def saves(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("input", "indices") if self.op == "max" else ()

    def cost(self, x: Shape) -> Cost:
        return Cost((1, 1, x[2]), 0, 0, 0, 0, x[2])

    def transient(self, x: Shape, out: Shape, input_elements: Any, itemsize: int, row: Any) -> Any:
        return row.activations * INDEX_BYTES if self.op == "max" else 0

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        if self.form == "mean":
            import torch

            class Mean(nn.Module):
                def forward(self, value: torch.Tensor) -> torch.Tensor:
                    return value.mean((2, 3), keepdim=True)

            return Mean()
        return nn.AdaptiveAvgPool2d(1) if self.op == "avg" else nn.AdaptiveMaxPool2d(1)
