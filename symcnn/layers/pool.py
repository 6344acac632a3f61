"""Pooling over windows: ``pool<k>`` (= ``maxpool<k>``) and ``avgpool<k>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from .base import (
    INDEX_BYTES,
    Cost,
    Layer,
    LayerProblem,
    Option,
    Shape,
    Slot,
    count,
    elements,
    pair,
    register,
    spatial,
    window_out,
)
from .imported import Imported, imported_option, imported_pair

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class Pool(Layer):
    """``pool<k>`` (= ``maxpool<k>``) and ``avgpool<k>``: stride k unless given, padding 0, floor rounding."""

    op: str
    kernel: tuple[Any, Any]
    stride: Any = None
    padding: Any = 0
    ceil: bool = False

    rank: ClassVar[int] = 30
    words: ClassVar[dict[str, dict[str, Any]]] = {"pool": {"op": "max"}, "maxpool": {"op": "max"},
                                                  "avgpool": {"op": "avg"}}
    forms: ClassVar[tuple[str, ...]] = ("function",)
    head = Slot("kernel", "a kernel size", pair=True)
    slash = Slot("stride", "a stride", pair=True)
    options = (Option("stride", ("s",), "pair"), Option("padding", ("p", "pad"), "pair"),
               Option("ceil", (), "bool"))
    hint = "a pooling layer is pool<k> or pool<k>/<s>, for example pool3/2"
    syntax: ClassVar[str] = "`pool<k>` = `maxpool<k>`, `avgpool<k>`"
    doc = "k×k window, stride k unless `/s`, padding 0, floor rounding (`ceil=true`: PyTorch's ceil mode)"
    saves_doc = "max: its input + argmax indices, **int64**, output-sized; avg: its input"
    torch_node = "`MaxPool2DWithIndicesBackward0`, `AvgPool2DBackward0`"

    imports = ("MaxPool2d", "AvgPool2d", "max_pool2d", "avg_pool2d")

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if imported_pair(a.get("dilation", 1)) != (1, 1):
            raise LayerProblem("a dilated max pool")
        if a.get("return_indices", False):
            raise LayerProblem("a max pool that returns its indices")
        kernel = imported_pair(a.get("kernel_size"))
        stride = a.get("stride")
        stride = None if stride is None or stride == [] or imported_pair(stride) == kernel else \
            imported_option(imported_pair(stride))
        return cls("max" if "max" in a.op.lower() else "avg", kernel, stride,
                   imported_option(imported_pair(a.get("padding", 0))), bool(a.get("ceil_mode", False)))

    @property
    def kind(self) -> str:
        return f"{self.op}pool"

    @property
    def saves(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("input", "indices") if self.op == "max" else ("input",)

    def _windows(self, x: Shape) -> tuple[Any, Any]:
        kh = count(self.kernel[0], "the window height")
        kw = count(self.kernel[1], "the window width")
        sh, sw = (kh, kw) if self.stride is None else (count(s, "the stride") for s in pair(self.stride))
        ph, pw = (count(p, "the padding", 0) for p in pair(self.padding))
        for k, p in ((kh, ph), (kw, pw)):
            if arith.numeric(k) and arith.numeric(p) and 2 * p > k:
                raise LayerProblem(f"the padding {p} is more than half the window {k} (PyTorch's limit)")
        ho = spatial(window_out(x[0], kh, sh, ph, ph, 1, self.ceil), "height", x[0])
        wo = spatial(window_out(x[1], kw, sw, pw, pw, 1, self.ceil), "width", x[1])
        return ho, wo

    def cost(self, x: Shape) -> Cost:
        ho, wo = self._windows(x)
        out = (ho, wo, x[2])
        return Cost(out, 0, 0, 0, 0, elements(out))

    def transient(self, x: Shape, out: Shape, input_elements: Any, itemsize: int, row: Any) -> Any:
        return row.activations * INDEX_BYTES if self.op == "max" else 0

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        kernel = pair(self.kernel)
        stride = kernel if self.stride is None else pair(self.stride)
        pool = nn.MaxPool2d if self.op == "max" else nn.AvgPool2d
        return pool(kernel, stride=stride, padding=pair(self.padding), ceil_mode=self.ceil)
