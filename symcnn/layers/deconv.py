"""Transposed convolution: ``deconv<k>-<n>/<s>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from . import derive as d
from .base import (
    Cost,
    Layer,
    LayerProblem,
    Option,
    Shape,
    Slot,
    count,
    elements,
    groups_divide,
    pair,
    register,
    spatial,
)
from .imported import Imported, imported_option, imported_pair

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class Deconv(Layer):
    """``deconv<k>-<n>/<s>``: out = (H − 1)·s − 2p + d·(k − 1) + output_padding + 1; padding 0 unless given."""

    kernel: tuple[Any, Any]
    out: Any
    stride: Any = 1
    padding: Any = 0
    dilation: Any = 1
    groups: Any = 1
    output_padding: Any = 0
    bias: bool = True

    rank: ClassVar[int] = 12
    words: ClassVar[dict[str, dict[str, Any]]] = {"deconv": {}}
    head = Slot("kernel", "a kernel size", pair=True)
    dash = Slot("out", "a channel count")
    slash = Slot("stride", "a stride", pair=True)
    options = (Option("stride", ("s",), "pair"), Option("padding", ("p", "pad"), "pair"),
               Option("dilation", ("d",), "pair"), Option("groups", ("g",)),
               Option("output_padding", ("op",), "pair"), Option("bias", (), "bool"))
    hint = "a transposed convolution is deconv<k>-<n>/<s>, for example deconv4-64/2"
    syntax: ClassVar[str] = "`deconv<k>-<n>/<s>`"
    doc = "transposed convolution, padding 0 unless given; out = (H−1)·s − 2p + d(k−1) + op + 1 (`op=`: output_padding)"
    params_doc = "k·k·C·(n/g) + n"
    saves = ("input",)
    saves_doc = "its input"
    torch_node = "`ConvolutionBackward0`"
    autocast = "low"
    scales = "out"
    parametric = True
    imports = ("ConvTranspose2d",)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if a.get("padding_mode", "zeros") != "zeros":
            raise LayerProblem(f"padding_mode='{a.get('padding_mode')}' (only zero padding is counted)")
        fields = {name: imported_option(imported_pair(a.get(name, default))) for name, default in
                  (("stride", 1), ("padding", 0), ("dilation", 1), ("output_padding", 0))}
        return cls(imported_pair(a.get("kernel_size")), a.get("out_channels"), **fields, groups=a.get("groups", 1),
                   bias=bool(a.get("bias")))

    def cost(self, x: Shape) -> Cost:
        h, w, c = x
        kh = count(self.kernel[0], "the kernel height")
        kw = count(self.kernel[1], "the kernel width")
        n = count(self.out, "the number of filters")
        g = count(self.groups, "the number of groups")
        sh, sw = (count(s, "the stride") for s in pair(self.stride))
        dh, dw = (count(v, "the dilation") for v in pair(self.dilation))
        ph, pw = (count(p, "the padding", 0) for p in pair(self.padding))
        oh, ow = (count(p, "the output padding", 0) for p in pair(self.output_padding))
        groups_divide(c, n, g)
        ho = spatial((h - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1, "height", h)
        wo = spatial((w - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1, "width", w)
        per_input = kh * kw * arith.div(n, g)
        out = (ho, wo, n)
        formula = f"({arith.factor(kh)}*{arith.factor(kw)}*{arith.factor(c)})*{arith.factor(arith.div(n, g))}"
        return Cost(out, c * per_input, n if self.bias else 0, 0, h * w * c * per_input, elements(out), formula)

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        h, w, c = x
        n = out[2]
        k, kt = d.kernel(t, (self.kernel[0], self.kernel[1]))
        g = self.groups
        grouped = g != 1
        ct = d.value(t, c)
        nt = d.ratio(t, n, g, arith.div(n, g)) if grouped else d.value(t, n)
        mac = d.product(kt, ct, nt, d.value(t, h), d.value(t, w))
        cout = f"{d.COUT}/g" if grouped else d.COUT
        if self.bias and not grouped:
            p = d.Step("P", f"({k} {d.CIN} + 1)\\,{d.COUT}",
                       d.product(d.plus(d.product(kt, ct), d.number(1)), nt), "params")
        elif self.bias:
            p = d.Step("P", f"{k} {d.CIN} {cout} + {d.COUT}", d.plus(d.product(kt, ct, nt), d.value(t, n), False),
                       "params")
        else:
            p = d.Step("P", f"{k} {d.CIN} {cout}", d.product(kt, ct, nt), "params")
        m = d.Step("M", f"{k} {d.CIN} {d.COUT}{'/g' if grouped else ''} {d.HIN} {d.WIN}", mac, "macs")
        extras = [x for x, on in (("grouped", grouped), ("without bias", not self.bias)) if on]
        return d.Derived("Transposed convolution" + (f" ({', '.join(extras)})" if extras else ""), (p, m))

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return nn.ConvTranspose2d(x[2], out[2], pair(self.kernel), stride=pair(self.stride),
                                  padding=pair(self.padding), output_padding=pair(self.output_padding),
                                  dilation=pair(self.dilation), groups=self.groups, bias=self.bias)
