"""Fully connected: ``fc-<n>`` (also ``fc<n>``) on the flattened input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from . import derive as d
from .base import Cost, Layer, Option, SaveContext, Shape, Slot, count, register
from .imported import Imported

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class FC(Layer):
    """``fc-<n>``: fully connected on the flattened input; the output is 1x1xn."""

    out: Any
    bias: bool = True

    rank: ClassVar[int] = 20
    words: ClassVar[dict[str, dict[str, Any]]] = {"fc": {}}
    head = Slot("out", "a channel count")
    dash = Slot("out", "a channel count")
    options = (Option("bias", (), "bool"),)
    hint = "a fully connected layer is fc-<n>, for example fc-4096"
    syntax: ClassVar[str] = "`fc-<n>` (also `fc<n>`)"
    doc = "fully connected on the flattened input; output 1×1×n"
    params_doc = "H·W·C·n + n"
    saves = ("input",)
    saves_doc = "its input, flattened (a view: same storage)"
    torch_node = "`AddmmBackward0` / `MmBackward0`"
    autocast = "low"
    scales = "out"
    parametric = True
    flat = "flattens"

    def notation(self) -> str:
        return f"fc-{arith.show(self.out)}" + ("" if self.bias else "[bias=false]")

    imports = ("Linear",)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        return cls(a.get("out_features"), bias=bool(a.get("bias")))

    def cost(self, x: Shape) -> Cost:
        h, w, c = x
        n = count(self.out, "the number of outputs")
        inputs = h * w * c
        flat = h == 1 and w == 1
        formula = (f"{arith.factor(c)}*{arith.factor(n)}" if flat else
                   f"({arith.factor(h)}*{arith.factor(w)}*{arith.factor(c)})*{arith.factor(n)}")
        return Cost((1, 1, n), inputs * n, n if self.bias else 0, 0, inputs * n, n, formula)

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        h, w, c = x
        ct, nt = d.value(t, c), d.value(t, out[2])
        flat = h == 1 and w == 1
        inputs = d.product(ct) if flat else d.product(d.value(t, h), d.value(t, w), ct)
        general = d.CIN if flat else f"{d.HIN} {d.WIN} {d.CIN}"
        if self.bias:
            p = d.Step("P", f"({general} + 1)\\,{d.COUT}", d.product(d.plus(inputs, d.number(1)), nt), "params")
        else:
            p = d.Step("P", f"{general} {d.COUT}", d.product(inputs, nt), "params")
        m = d.Step("M", f"{general} {d.COUT}", d.product(inputs, nt), "macs")
        title = "Fully connected" + ("" if flat else f" on a ${d.HIN}\\times {d.WIN}\\times {d.CIN}$ input") + \
            ("" if self.bias else " without bias")
        return d.Derived(title, (p, m))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        return [("input", s.saved_input())]

    def saves_weight_copy(self, input_grad: bool) -> bool:
        """addmm keeps the weight (mat2) only for the gradient of its input (mat1)."""
        return input_grad

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        linear = nn.Linear(x[0] * x[1] * x[2], out[2], bias=self.bias)
        return linear if flat else nn.Sequential(nn.Flatten(), linear)
