"""Layers as frozen dataclasses, and what each one costs.

A layer knows its own arithmetic: given the shape of its input it returns a
:class:`Cost` — output shape, weights, biases, buffers, MACs and activation
elements — as exact SymPy expressions. Values are bound (macro arguments and
``--set`` values substituted) before :meth:`Layer.cost` is called.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import sympy
from sympy import Expr, Integer, ceiling, floor

from . import limits

Shape = tuple[Expr, Expr, Expr]
ZERO = Integer(0)
ONE = Integer(1)


class LayerProblem(Exception):
    """Raised by a layer whose values cannot work; the analysis adds where it happened."""

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Span:
    """Where a layer was written: 1-based line and column, and character offsets."""

    line: int
    column: int
    start: int
    end: int


@dataclass(frozen=True)
class Cost:
    output: Shape
    weights: Expr
    biases: Expr
    buffers: Expr
    macs: Expr
    activations: Expr
    weight_formula: str


def show(value: Expr) -> str:
    """A value as the notation writes it: ``64``, ``K`` or ``{64*w}``."""
    if value.is_Integer or value.is_Symbol:
        return str(value)
    return "{" + str(value).replace("**", "^") + "}"


def factor(value: Expr) -> str:
    """A value as a factor in a product: bare when atomic, parenthesised otherwise."""
    if value.is_Integer or value.is_Symbol:
        return str(value)
    return "(" + str(value).replace("**", "^") + ")"


def elements(shape: Shape) -> Expr:
    return shape[0] * shape[1] * shape[2]


def count(value: Expr, what: str, minimum: int = 1) -> Expr:
    """Check a value that must be an integer >= minimum wherever it is a number."""
    if value.free_symbols:
        return value
    if not (value.is_Integer and value >= minimum):
        shown = str(value) if value.is_Rational else f"{value} (not a finite number)"
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise LayerProblem(f"{what} is {shown}, but must be {kind}")
    return value


def spatial(size: Expr, dim: str, before: Expr) -> Expr:
    if not size.free_symbols:
        if size < 1:
            raise LayerProblem(f"the output {dim} is {size} (from input {dim} {before}); it must be at least 1")
    elif limits.printed_size(size) > limits.MAX_SIZE_TERMS:
        raise LayerProblem(f"the symbolic output {dim} has grown past {limits.MAX_SIZE_TERMS:,} terms; "
                           "give the input size (--at), or state divisibility (--divisible)", "limit")
    return size



def _rounded(rounding: type[floor] | type[ceiling], span: Expr, s: Expr) -> Expr:
    """rounding(span / s), with floor((floor(v) + n)/s) = floor((v + n)/s) applied (n, s integers).

    The identity keeps symbolic sizes readable: five 2x2 pools give floor(H/32), not
    five nested floors. It holds for floor and for ceiling alike.
    """
    inner = [term for term in sympy.Add.make_args(span) if isinstance(term, rounding)]
    rest = span - inner[0] if len(inner) == 1 else None
    if rest is not None and rest.is_integer and s.is_Integer:
        return _divided(rounding, (inner[0].args[0] + rest) / s)
    return _divided(rounding, span / s) if s.is_Integer else rounding(span / s)


def _divided(rounding: type[floor] | type[ceiling], quotient: Expr) -> Expr:
    """rounding(quotient), built as SymPy builds it for a real quotient with names in it, but faster.

    SymPy's floor first asks whether its whole argument is positive, zero or imaginary; for a
    sum of sizes such as H/2 - 1 that costs milliseconds a call and was most of the time of a
    symbolic analysis. For sizes, which grow with their names, those questions have no answer
    (and an answer could only give a simpler form of the same value), so the terms are split
    here as SymPy then splits them: integer terms come out, the others stay inside,
    unevaluated. Numbers, and anything not real, go through SymPy as usual.
    """
    symbols = quotient.free_symbols
    if not symbols or not all(symbol.is_real for symbol in symbols):
        return rounding(quotient)
    whole: list[Expr] = []
    rest: list[Expr] = []
    for term in sympy.Add.make_args(quotient):
        (whole if term.is_integer else rest).append(term)
    inside = sympy.Add(*rest)
    if not inside.free_symbols:
        return rounding(quotient)
    return sympy.Add(*whole) + rounding(inside, evaluate=False)


def window_out(size: Expr, k: Expr, s: Expr, p: Expr, d: Expr, ceil_mode: bool) -> Expr:
    """Output length of a convolution or pooling window, PyTorch's rule."""
    span = size + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        out = _rounded(floor, span, s) + 1
        if span.free_symbols and span.is_integer:
            # For an integer x, floor(x/s) + 1 = ceil((x + 1)/s): a stride-2 3x3 convolution then
            # gives ceil(H/2) rather than floor(H/2 - 1/2) + 1. Keep the shorter form.
            other = _rounded(ceiling, span + 1, s)
            if sympy.count_ops(other) < sympy.count_ops(out):
                return other
        return out
    out = _rounded(ceiling, span, s) + 1
    # PyTorch drops a last window that would start in the right padding. It starts at
    # ceil(span/s)*s <= span + s - 1 = size + p + (p + s - d*(k - 1) - 2), so never there when
    # p + s <= d*(k - 1) + 1 (the usual ceil-mode pools): deciding that here keeps symbolic sizes
    # free of nested Piecewise conditions, which SymPy is slow to build (or fails on).
    if (p + s - d * (k - 1) - 1).is_nonpositive:
        return out
    # Otherwise the window it drops leaves ceil((size + p)/s) outputs, never fewer (p <= d*(k - 1) + 1
    # holds for every pool PyTorch accepts), so both cases are one exact expression:
    other = _rounded(ceiling, size + p, s)
    # Unevaluated when symbolic: proving which argument is smaller can take SymPy minutes, and
    # binding numbers later evaluates it.
    return sympy.Min(out, other, evaluate=not out.free_symbols)


@dataclass(frozen=True)
class Layer:
    """Base of every layer: where it was written, and how to bind its values."""

    span: Span
    kind: ClassVar[str]
    options: ClassVar[tuple[str, ...]] = ()
    in_place: ClassVar[bool] = False

    def bind(self, env: dict[sympy.Symbol, Expr]) -> Layer:
        """The same layer with names replaced by their values (cheap when env is empty)."""
        if not env:
            return self
        changes = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Expr):
                changes[f.name] = value.xreplace(env)
            elif isinstance(value, tuple):
                changes[f.name] = tuple(v.xreplace(env) for v in value)
        return dataclasses.replace(self, **changes)

    def notation(self) -> str:
        return self.kind

    def cost(self, shape: Shape) -> Cost:
        """Shape-preserving, parameter-free default."""
        activations = ZERO if self.in_place else elements(shape)
        return Cost(shape, ZERO, ZERO, ZERO, ZERO, activations, "")


def _with_options(head: str, options: list[tuple[str, object, object]]) -> str:
    """``head[name=value, ...]`` for the options that differ from their defaults."""
    shown = []
    for name, value, default in options:
        if value != default:
            text = str(value).lower() if isinstance(value, bool) else show(value).strip("{}")  # type: ignore[arg-type]
            shown.append(f"{name}={text}")
    return head + (f"[{', '.join(shown)}]" if shown else "")


def _size(kernel: tuple[Expr, Expr]) -> str:
    """A kernel size right after the layer keyword: a name needs braces there (``conv{k}-64``)."""

    def one(value: Expr) -> str:
        return str(value) if value.is_Integer else "{" + show(value).strip("{}") + "}"

    kh, kw = kernel
    return one(kh) if kh == kw else f"{one(kh)}x{one(kw)}"


def _groups_divide(c: Expr, n: Expr, g: Expr) -> None:
    for total, what in ((c, "input channels"), (n, "filters")):
        share = total / g
        if not share.free_symbols and not share.is_Integer:
            raise LayerProblem(f"{g} groups do not divide the {total} {what}")


@dataclass(frozen=True)
class Conv(Layer):
    """``conv<k>-<n>``, ``conv<k>x<j>-<n>`` and ``dwconv<k>`` (out and groups None: depthwise)."""

    kernel: tuple[Expr, Expr]
    out: Expr | None
    stride: Expr = ONE
    padding: Expr | None = None
    dilation: Expr = ONE
    groups: Expr = ONE
    bias: bool = True
    options: ClassVar[tuple[str, ...]] = ("stride", "padding", "dilation", "groups", "bias")

    @property
    def depthwise(self) -> bool:
        return self.out is None

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "dwconv" if self.depthwise else "conv"

    def notation(self) -> str:
        head = f"dwconv{_size(self.kernel)}" if self.out is None else f"conv{_size(self.kernel)}-{show(self.out)}"
        if self.stride != 1:
            head += f"/{show(self.stride)}"
        return _with_options(
            head, [("p", self.padding, None), ("d", self.dilation, 1), ("g", self.groups, 1), ("bias", self.bias, True)]
        )

    def cost(self, shape: Shape) -> Cost:
        h, w, c = shape
        kh = count(self.kernel[0], "the kernel height")
        kw = count(self.kernel[1], "the kernel width")
        n = c if self.out is None else count(self.out, "the number of filters")
        g = c if self.out is None else count(self.groups, "the number of groups")
        s = count(self.stride, "the stride")
        d = count(self.dilation, "the dilation")
        if self.padding is None:
            ph, pw = floor(kh / 2), floor(kw / 2)
        else:
            ph = pw = count(self.padding, "the padding", 0)
        _groups_divide(c, n, g)
        ho = spatial(window_out(h, kh, s, ph, d, False), "height", h)
        wo = spatial(window_out(w, kw, s, pw, d, False), "width", w)
        per_filter = kh * kw * (c / g)
        weights = per_filter * n
        biases = n if self.bias else ZERO
        formula = f"({factor(kh)}*{factor(kw)}*{factor(c / g)})*{factor(n)}"
        if self.out is None:
            formula = f"({factor(kh)}*{factor(kw)})*{factor(c)}"
        out = (ho, wo, n)
        return Cost(out, weights, biases, ZERO, ho * wo * n * per_filter, elements(out), formula)


@dataclass(frozen=True)
class Deconv(Layer):
    """``deconv<k>-<n>/<s>``: transposed convolution, padding 0 unless given."""

    kernel: tuple[Expr, Expr]
    out: Expr
    stride: Expr = ONE
    padding: Expr = ZERO
    dilation: Expr = ONE
    groups: Expr = ONE
    bias: bool = True
    kind: ClassVar[str] = "deconv"
    options: ClassVar[tuple[str, ...]] = ("stride", "padding", "dilation", "groups", "bias")

    def notation(self) -> str:
        head = f"deconv{_size(self.kernel)}-{show(self.out)}"
        if self.stride != 1:
            head += f"/{show(self.stride)}"
        return _with_options(
            head, [("p", self.padding, 0), ("d", self.dilation, 1), ("g", self.groups, 1), ("bias", self.bias, True)]
        )

    def cost(self, shape: Shape) -> Cost:
        h, w, c = shape
        kh = count(self.kernel[0], "the kernel height")
        kw = count(self.kernel[1], "the kernel width")
        n = count(self.out, "the number of filters")
        g = count(self.groups, "the number of groups")
        s = count(self.stride, "the stride")
        d = count(self.dilation, "the dilation")
        p = count(self.padding, "the padding", 0)
        _groups_divide(c, n, g)
        ho = spatial((h - 1) * s - 2 * p + d * (kh - 1) + 1, "height", h)
        wo = spatial((w - 1) * s - 2 * p + d * (kw - 1) + 1, "width", w)
        per_input = kh * kw * (n / g)
        out = (ho, wo, n)
        formula = f"({factor(kh)}*{factor(kw)}*{factor(c)})*{factor(n / g)}"
        return Cost(out, c * per_input, n if self.bias else ZERO, ZERO, h * w * c * per_input, elements(out), formula)


@dataclass(frozen=True)
class FC(Layer):
    """``fc-<n>``: fully connected on the flattened input; the output is 1x1xn."""

    out: Expr
    bias: bool = True
    kind: ClassVar[str] = "fc"
    options: ClassVar[tuple[str, ...]] = ("bias",)

    def notation(self) -> str:
        return f"fc-{show(self.out)}" + ("" if self.bias else "[bias=false]")

    def cost(self, shape: Shape) -> Cost:
        h, w, c = shape
        n = count(self.out, "the number of outputs")
        inputs = h * w * c
        formula = f"{factor(c)}*{factor(n)}" if h == 1 and w == 1 else f"({factor(h)}*{factor(w)}*{factor(c)})*{factor(n)}"
        out = (ONE, ONE, n)
        return Cost(out, inputs * n, n if self.bias else ZERO, ZERO, inputs * n, n, formula)


@dataclass(frozen=True)
class Pool(Layer):
    """``pool<k>`` (= ``maxpool<k>``) and ``avgpool<k>``: stride k unless given, padding 0, floor."""

    op: str
    kernel: tuple[Expr, Expr]
    stride: Expr | None = None
    padding: Expr = ZERO
    ceil: bool = False
    options: ClassVar[tuple[str, ...]] = ("stride", "padding", "ceil")

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"{self.op}pool"

    def notation(self) -> str:
        head = f"{'pool' if self.op == 'max' else 'avgpool'}{_size(self.kernel)}"
        if self.stride is not None:
            head += f"/{show(self.stride)}"
        return _with_options(head, [("p", self.padding, 0), ("ceil", self.ceil, False)])

    def cost(self, shape: Shape) -> Cost:
        h, w, c = shape
        kh = count(self.kernel[0], "the window height")
        kw = count(self.kernel[1], "the window width")
        sh, sw = (kh, kw) if self.stride is None else (count(self.stride, "the stride"),) * 2
        p = count(self.padding, "the padding", 0)
        for k in (kh, kw):
            if not (2 * p - k).free_symbols and 2 * p > k:
                raise LayerProblem(f"the padding {p} is more than half the window {k} (PyTorch's limit)")
        ho = spatial(window_out(h, kh, sh, p, ONE, self.ceil), "height", h)
        wo = spatial(window_out(w, kw, sw, p, ONE, self.ceil), "width", w)
        out = (ho, wo, c)
        return Cost(out, ZERO, ZERO, ZERO, ZERO, elements(out), "")


@dataclass(frozen=True)
class GlobalPool(Layer):
    """``gap`` and ``gmp``: global average or max pool to 1x1xC."""

    op: str

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "gap" if self.op == "avg" else "gmp"

    def notation(self) -> str:
        return self.kind

    def cost(self, shape: Shape) -> Cost:
        return Cost((ONE, ONE, shape[2]), ZERO, ZERO, ZERO, ZERO, shape[2], "")


@dataclass(frozen=True)
class AdaptivePool(Layer):
    """``apool<k>`` (``apool<h>x<w>``): adaptive average pool to a fixed k x k output, whatever the input size.

    >>> import symcnn
    >>> symcnn.parse("input HxWx256\\napool6").analyze().rows[-1].output
    (6, 6, 256)
    """

    size: tuple[Expr, Expr]
    kind: ClassVar[str] = "apool"

    def notation(self) -> str:
        return f"apool{_size(self.size)}"

    def cost(self, shape: Shape) -> Cost:
        out = (count(self.size[0], "the output height"), count(self.size[1], "the output width"), shape[2])
        return Cost(out, ZERO, ZERO, ZERO, ZERO, elements(out), "")


@dataclass(frozen=True)
class BatchNorm(Layer):
    """``bn``: 2C parameters (scale, shift) and 2C buffers (running mean and variance)."""

    kind: ClassVar[str] = "bn"

    def cost(self, shape: Shape) -> Cost:
        c = shape[2]
        return Cost(shape, c, c, 2 * c, ZERO, elements(shape), f"{factor(c)}")


@dataclass(frozen=True)
class LRN(Layer):
    """``lrn``: local response normalization, a new tensor, no parameters."""

    kind: ClassVar[str] = "lrn"


@dataclass(frozen=True)
class Elementwise(Layer):
    """Activation functions, dropout, flatten and id: computed in place, no new tensor."""

    name: str
    in_place: ClassVar[bool] = True

    @property
    def kind(self) -> str:  # type: ignore[override]
        return self.name

    def notation(self) -> str:
        return self.name

    def cost(self, shape: Shape) -> Cost:
        if self.name == "flatten":
            shape = (ONE, ONE, elements(shape))
        return Cost(shape, ZERO, ZERO, ZERO, ZERO, ZERO, "")


@dataclass(frozen=True)
class Upsample(Layer):
    """``upsample<f>``: spatial upsampling by the factor f (nearest neighbour)."""

    factor: Expr
    kind: ClassVar[str] = "upsample"

    def notation(self) -> str:
        return f"upsample{show(self.factor)}"

    def cost(self, shape: Shape) -> Cost:
        h, w, c = shape
        f = self.factor
        if not f.free_symbols and not (f.is_Rational and f > 0):
            raise LayerProblem(f"the factor is {f}, but must be a positive number")
        out = (spatial(floor(h * f), "height", h), spatial(floor(w * f), "width", w), c)
        return Cost(out, ZERO, ZERO, ZERO, ZERO, elements(out), "")


ELEMENTWISE = frozenset(
    "relu relu6 lrelu sigmoid tanh gelu silu swish hswish hsigmoid softmax dropout flatten id".split()
)
