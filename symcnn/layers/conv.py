"""Convolutions: ``conv<k>-<n>`` (grouped, dilated, any padding) and ``dwconv<k>`` (depthwise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from ..values import Word
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
    integer,
    pair,
    register,
    spatial,
    window_out,
)
from .forms import channels_last
from .imported import Imported, imported_option, imported_pair

if TYPE_CHECKING:
    from torch import nn

WINDOW_OPTIONS = (Option("stride", ("s",), "pair"), Option("padding", ("p", "pad"), "pair", ("same",)),
                  Option("dilation", ("d",), "pair"))


def padding(layer: Any, kernel: tuple[Any, Any], stride: tuple[Any, Any],
            dilation: tuple[Any, Any]) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """(left, right) padding of the height and of the width.

    By default ⌊k/2⌋ each side, which keeps the size for an odd kernel at stride 1; an even
    kernel has no centred padding, so it must be given (PyTorch's own default is 0).
    ``same`` pads d·(k − 1) in all, the extra one on the right, as PyTorch's
    ``padding="same"``, which needs stride 1.
    """
    if layer.padding is None:
        for k in kernel:
            if type(k) is int and k % 2 == 0:
                raise LayerProblem(f"an even kernel ({k}) has no centred padding: give it, e.g. [p=0] "
                                   f"(PyTorch's default) or [p={k // 2}]")
        return tuple((arith.floordiv(k, 2),) * 2 for k in kernel)  # type: ignore[return-value]
    if type(layer.padding) is Word:
        if any(s != 1 for s in stride):
            raise LayerProblem("padding 'same' needs stride 1 (as in PyTorch)")
        out = []
        for k, dil in zip(kernel, dilation):
            total = dil * (k - 1)
            left = arith.floordiv(total, 2)
            out.append((left, total - left))
        return tuple(out)  # type: ignore[return-value]
    return tuple((count(p, "the padding", 0),) * 2 for p in pair(layer.padding))  # type: ignore[return-value]


def output_size(x: Shape, kernel: tuple[Any, Any], layer: Any) -> tuple[Any, Any, tuple[Any, Any]]:
    """Output height and width of a window layer with ``stride``, ``padding``, ``dilation`` fields."""
    stride = tuple(count(s, "the stride") for s in pair(layer.stride))
    dilation = tuple(count(v, "the dilation") for v in pair(layer.dilation))
    pads = padding(layer, kernel, stride, dilation)  # type: ignore[arg-type]
    ho = spatial(window_out(x[0], kernel[0], stride[0], *pads[0], dilation[0], False), "height", x[0])
    wo = spatial(window_out(x[1], kernel[1], stride[1], *pads[1], dilation[1], False), "width", x[1])
    return ho, wo, pads  # type: ignore[return-value]


def torch_padding(layer: Any, pads: tuple[tuple[Any, Any], tuple[Any, Any]]) -> Any:
    if type(layer.padding) is Word:
        return "same"
    return tuple(integer(p[0], "the padding") for p in pads)


def imported_window(a: Imported, kernel: tuple[int, int]) -> dict[str, Any]:
    """Stride, padding and dilation of a PyTorch convolution as the fields of ``conv`` and ``dwconv``."""
    if a.get("padding_mode", "zeros") != "zeros":
        raise LayerProblem(f"padding_mode='{a.get('padding_mode')}' (only zero padding is counted)")
    padding = a.get("padding", 0)
    if padding == "same":
        pads: Any = Word("same")
    else:
        pair_ = (0, 0) if padding == "valid" else imported_pair(padding)
        centred = all(k % 2 == 1 and p == k // 2 for k, p in zip(kernel, pair_))
        pads = None if centred else imported_option(pair_)
    return {"stride": imported_option(imported_pair(a.get("stride", 1))), "padding": pads,
            "dilation": imported_option(imported_pair(a.get("dilation", 1)))}


def kernel_of(layer: Any) -> tuple[Any, Any]:
    return count(layer.kernel[0], "the kernel height"), count(layer.kernel[1], "the kernel width")


@register
@dataclass(frozen=True)
class Conv(Layer):
    """``conv<k>-<n>``: n filters of k×k (``conv<k>x<j>-<n>``: k×j) over C/g input channels each."""

    kernel: tuple[Any, Any]
    out: Any
    stride: Any = 1
    padding: Any = None
    dilation: Any = 1
    groups: Any = 1
    bias: bool = True

    rank: ClassVar[int] = 10
    words: ClassVar[dict[str, dict[str, Any]]] = {"conv": {}}
    head = Slot("kernel", "a kernel size", pair=True)
    dash = Slot("out", "a channel count")
    slash = Slot("stride", "a stride", pair=True)
    options = (*WINDOW_OPTIONS, Option("groups", ("g",)), Option("bias", (), "bool"))
    hint = "a convolution is conv<k>-<n>, for example conv3-64"
    syntax: ClassVar[str] = "`conv<k>-<n>`, `conv<k>x<j>-<n>`"
    doc = ("k×k (k×j) convolution, n filters, stride 1, zero padding ⌊k/2⌋ each side (\"same\" for odd k; an even "
           "kernel needs `p=`), bias; options `s p d g bias`, `p=same`, per-axis `s=2x1`")
    params_doc = "k·j·(C/g)·n + n"
    saves = ("input",)
    saves_doc = "its input (the weight is a parameter)"
    torch_node = "`ConvolutionBackward0`"
    autocast = "low"
    scales = "out"
    parametric = True
    imports = ("Conv2d",)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        """``nn.Conv2d``: a ``dwconv`` when every input channel has its own filters, else a ``conv``."""
        kernel = imported_pair(a.get("kernel_size"))
        window = imported_window(a, kernel)
        out, groups, bias = a.get("out_channels"), a.get("groups", 1), bool(a.get("bias"))
        if groups == a.channels and groups > 1 and out % groups == 0:
            return DepthwiseConv(kernel, **window, multiplier=out // groups, bias=bias)
        return Conv(kernel, out, **window, groups=groups, bias=bias)

    def cost(self, x: Shape) -> Cost:
        h, w, c = x
        kernel = kernel_of(self)
        n = count(self.out, "the number of filters")
        g = count(self.groups, "the number of groups")
        groups_divide(c, n, g)
        ho, wo, _ = output_size(x, kernel, self)
        per_group = arith.div(c, g)
        per_filter = kernel[0] * kernel[1] * per_group
        formula = f"({arith.factor(kernel[0])}*{arith.factor(kernel[1])}*{arith.factor(per_group)})*{arith.factor(n)}"
        out = (ho, wo, n)
        return Cost(out, per_filter * n, n if self.bias else 0, 0, ho * wo * n * per_filter, elements(out), formula)

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        c, (ho, wo, n) = x[2], out
        k, kt = d.kernel(t, kernel_of(self))
        g = self.groups
        grouped = g != 1
        cin = f"{d.CIN}/g" if grouped else d.CIN
        ct = d.ratio(t, c, g, arith.div(c, g)) if grouped else d.value(t, c)
        nt = d.value(t, n)
        mac = d.product(kt, ct, nt, d.value(t, ho), d.value(t, wo))
        if self.bias and not grouped:
            p = d.Step("P", f"({k} {cin} + 1)\\,{d.COUT}", d.product(d.plus(d.product(kt, ct), d.number(1)), nt),
                       "params")
        elif self.bias:
            p = d.Step("P", f"{k} {cin} {d.COUT} + {d.COUT}", d.plus(d.product(kt, ct, nt), d.value(t, n), False),
                       "params")
        else:
            p = d.Step("P", f"{k} {cin} {d.COUT}", d.product(kt, ct, nt), "params")
        m = d.Step("M", f"{k} {cin} {d.COUT} {d.HOUT} {d.WOUT}", mac, "macs")
        extras = [x for x, on in (("grouped", grouped), ("without bias", not self.bias)) if on]
        return d.Derived("Convolution" + (f" ({', '.join(extras)})" if extras else ""), (p, m))

    @property
    def forms(self) -> tuple[str, ...]:  # type: ignore[override]
        """A 1x1 conv (stride 1, one group, no padding) also as ``torch=last``: ``nn.Linear`` on channels-last."""
        one = self.kernel == (1, 1) and pair(self.stride) == (1, 1) and self.groups == 1 and self.padding in (None, 0)
        return ("last",) if one else ()

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        if self.form == "last":
            return channels_last(nn.Linear(x[2], out[2], bias=self.bias))
        kernel = kernel_of(self)
        _, _, pads = output_size(x, kernel, self)
        return nn.Conv2d(x[2], out[2], kernel, stride=pair(self.stride), padding=torch_padding(self, pads),
                         dilation=pair(self.dilation), groups=self.groups, bias=self.bias)


@register
@dataclass(frozen=True)
class DepthwiseConv(Layer):
    """``dwconv<k>``: one k×k filter per input channel (``m`` per channel with ``[m=2]``), groups = C."""

    kernel: tuple[Any, Any]
    stride: Any = 1
    padding: Any = None
    dilation: Any = 1
    multiplier: Any = 1
    bias: bool = True

    rank: ClassVar[int] = 11
    words: ClassVar[dict[str, dict[str, Any]]] = {"dwconv": {}}
    head = Slot("kernel", "a kernel size", pair=True)
    slash = Slot("stride", "a stride", pair=True)
    options = (*WINDOW_OPTIONS, Option("multiplier", ("m",)), Option("bias", (), "bool"))
    hint = "a depthwise convolution is dwconv<k>, for example dwconv3/2"
    syntax: ClassVar[str] = "`dwconv<k>`"
    doc = "depthwise k×k convolution (groups = C, C outputs; m·C with `m=`), as `conv` otherwise"
    params_doc = "k·k·m·C + m·C"
    saves = ("input",)
    saves_doc = "its input"
    torch_node = "`ConvolutionBackward0`"
    autocast = "low"
    parametric = True

    def cost(self, x: Shape) -> Cost:
        c = x[2]
        kernel = kernel_of(self)
        m = count(self.multiplier, "the channel multiplier")
        ho, wo, _ = output_size(x, kernel, self)
        n = m * c
        formula = f"({arith.factor(kernel[0])}*{arith.factor(kernel[1])})*{arith.factor(n)}"
        out = (ho, wo, n)
        per = kernel[0] * kernel[1]
        return Cost(out, per * n, n if self.bias else 0, 0, ho * wo * n * per, elements(out), formula)

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        ho, wo, n = out
        k, kt = d.kernel(t, kernel_of(self))
        ct = d.value(t, n)
        weights = d.product(kt, ct)
        p = d.Step("P", f"({k} + 1)\\,{d.C}" if self.bias else f"{k} {d.C}",
                   d.product(d.plus(kt, d.number(1)), ct) if self.bias else weights, "params")
        m = d.Step("M", f"{k} {d.C} {d.HOUT} {d.WOUT}", d.product(kt, ct, d.value(t, ho), d.value(t, wo)), "macs")
        return d.Derived("Depthwise convolution" + ("" if self.bias else " without bias"), (p, m))

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        kernel = kernel_of(self)
        _, _, pads = output_size(x, kernel, self)
        return nn.Conv2d(x[2], out[2], kernel, stride=pair(self.stride), padding=torch_padding(self, pads),
                         dilation=pair(self.dilation), groups=x[2], bias=self.bias)
