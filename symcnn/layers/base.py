"""What every layer kind is made of: its notation, its cost, its memory rule, its derivation, its torch module.

A kind is a frozen dataclass subclassing :class:`Layer`, in a file of its own under
``symcnn/layers/``. Its class attributes say how it is written (``words``, the value
slots ``head``, ``dash`` and ``slash``, its ``options``, a ``hint`` and a one-line
``doc``) and what it keeps for the backward pass (``saves``, ``autocast``,
``in_place``, ``view``); its methods give its :class:`Cost`, its LaTeX derivation and
its PyTorch module. :mod:`symcnn.layers` finds every kind and builds the registry the
parser, the memory model, the torch export, the derivation and the docs read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from .. import arith, values
from ..arith import Bound
from ..values import Value, Word

if TYPE_CHECKING:
    from torch import nn

    from .derive import Derived, Tex
    from .imported import Imported

Shape = tuple[Any, Any, Any]
"""Height, width and channels of one sample: ints, or SymPy expressions where names are left."""

INDEX_BYTES = 8  # max-pool indices are int64
FP32 = 4


class LayerProblem(Exception):
    """Raised by a layer whose values cannot work; the analysis adds where it happened."""

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Span:
    """Where something was written: 1-based line and column, and the character offset."""

    line: int
    column: int
    start: int = 0


NOWHERE = Span(1, 1)


@dataclass(frozen=True)
class Cost:
    """What a layer costs on one input: output shape, weights, biases, buffers, MACs, activation elements.

    ``weight_formula`` shows how the weights are counted (``(3*3*64)*128``) in the text table.
    """

    output: Shape
    weights: Bound
    biases: Bound
    buffers: Bound
    macs: Bound
    activations: Bound
    weight_formula: str = ""


@dataclass(frozen=True)
class Slot:
    """A value written in the layer itself: right after its word (``head``), after ``-`` (``dash``) or after ``/``.

    ``field`` is the dataclass field it sets; ``pair`` fields hold (height, width), and one
    value written sets both.
    """

    field: str
    what: str
    pair: bool = False


@dataclass(frozen=True)
class Option:
    """An option in brackets, ``conv3-64[s=2, p=same]``: the field it sets, its other names, what it takes.

    ``takes`` is ``value`` (a number, a name or an expression), ``pair`` (one value, or two as
    ``2x1``), ``bool`` or ``word`` (any word, kept as it is written); ``words`` are keywords it also
    accepts (``same``, ``bilinear``).
    """

    field: str
    aliases: tuple[str, ...] = ()
    takes: str = "value"
    words: tuple[str, ...] = ()


class SaveContext(Protocol):
    """What a layer's memory rule is told about the tensors around it (see :mod:`symcnn.memory`)."""

    input: Any
    output: Any
    device: str
    amp: str | None
    param_size: int
    compute_size: int
    row: Any

    def new(self, elements: Bound, itemsize: int) -> Any: ...

    def saved_input(self) -> Any: ...


@dataclass(frozen=True)
class Layer:
    """Base of every layer kind: where it was written, how to bind its values, how to write it back."""

    span: Span = field(default=NOWHERE, compare=False, kw_only=True)
    form: str = field(default="module", kw_only=True)
    """How PyTorch code computes it (``torch=`` in the notation): ``module``, or one of :attr:`forms`."""

    rank: ClassVar[int] = 50
    """Where the kind comes in the README's tables (convolutions first, views last)."""
    words: ClassVar[dict[str, dict[str, Any]]] = {}
    """The words that write this kind, each with the fields it fixes (``avgpool``: ``op="avg"``)."""
    head: ClassVar[Slot | None] = None
    dash: ClassVar[Slot | None] = None
    slash: ClassVar[Slot | None] = None
    options: ClassVar[tuple[Option, ...]] = ()
    hint: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    """One line for the README's layer table (what it computes)."""
    params_doc: ClassVar[str] = "0"
    """Its weights + biases, as the README's layer table writes them."""
    saves: ClassVar[tuple[str, ...]] = ()
    """What it saves for backward besides its parameters: ``input``, ``output``, ``indices``, ``mask``."""
    saves_doc: ClassVar[str] = ""
    torch_node: ClassVar[str] = ""
    """The autograd node PyTorch records for it (the README's saved-tensor table)."""
    autocast: ClassVar[str | None] = None
    """``low``: runs in fp16/bf16 under autocast; ``fp32``: in fp32; ``fp32 on cuda``; None: as its input."""
    in_place: ClassVar[bool] = False
    """No new tensor in inference (activation functions, dropout): its row counts 0 activations."""
    view: ClassVar[bool] = False
    """No new tensor in training either: torch returns a view of the input or the input itself."""
    parametric: ClassVar[bool] = False
    """Has parameters: the backward pass starts at it even when nothing before it needs a gradient."""
    scales: ClassVar[str | None] = None
    """The field holding the channel count it sets, which a width multiplier scales (conv, deconv, fc: ``out``)."""
    flat: ClassVar[str] = "spatial"
    """What its torch module takes: ``spatial`` (N, C, H, W), ``any`` (also a flat (N, n)), ``flattens`` (fc)."""
    unknown: ClassVar[bool] = False
    """Its costs are not known (an operation an import could not count): every output names it."""
    forms: ClassVar[tuple[str, ...]] = ()
    """Other ways PyTorch code computes it, for ``torch=`` (``function``: a ``torch.nn.functional`` call; ``mean``:
    ``Tensor.mean``; ``last``: on a channels-last tensor, as ``nn.Linear`` or ``nn.LayerNorm``). Costs are the same;
    the tools that count modules (:mod:`symcnn.conventions`) are not."""
    imports: ClassVar[tuple[str, ...]] = ()
    """The PyTorch modules and functions it reads back (:func:`symcnn.from_torch`; ONNX ops translated to them)."""

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        """The layer for one PyTorch operation of :attr:`imports`; :class:`LayerProblem` for a variant it is not."""
        raise NotImplementedError

    @property
    def word(self) -> str:
        """The word that writes this layer (the first of :attr:`words` whose fixed fields it has)."""
        fixed, words = _meta(type(self))[1:3]
        return words.get(tuple(getattr(self, name) for name in fixed), next(iter(self.words)))

    @property
    def kind(self) -> str:
        """The word, as rows and the JSON ``kind`` show it (``maxpool`` for ``pool``)."""
        return self.word

    def value_fields(self) -> tuple[str, ...]:
        """Its fields but where it was written: what it computes with."""
        return _meta(type(self))[0]

    def has_names(self) -> bool:
        """Whether any of its values holds a name (and so needs binding)."""
        for name in _meta(type(self))[0]:
            value = getattr(self, name)
            if any(map(_has_names, value)) if isinstance(value, tuple) else _has_names(value):
                return True
        return False

    def bind(self, env: dict[str, Bound]) -> Layer:
        """The same layer with its values evaluated in ``env`` (itself when it holds no name)."""
        changes = {}
        for name in _meta(type(self))[0]:
            value = getattr(self, name)
            if isinstance(value, tuple):
                if any(_has_names(v) for v in value):
                    changes[name] = tuple(arith.evaluate(v, env) for v in value)
            elif _has_names(value):
                changes[name] = arith.evaluate(value, env)
        return dataclasses.replace(self, **changes) if changes else self

    def notation(self) -> str:
        """The layer as the notation writes it, options that differ from their defaults included."""
        out = self.word
        if self.head is not None and getattr(self, self.head.field) is not None:
            out += _head(getattr(self, self.head.field))
        if self.dash is not None and getattr(self, self.dash.field) is not None:
            out += "-" + _slot(getattr(self, self.dash.field))
        shown_slash = None
        if self.slash is not None:
            value = getattr(self, self.slash.field)
            default = _default(self, self.slash.field)
            if value != default and value is not None:
                pair = value if isinstance(value, tuple) else (value, value)
                if pair[0] == pair[1]:
                    out += "/" + _slot(pair[0])
                    shown_slash = self.slash.field
        extras = []
        for option in self.options:
            if option.field == shown_slash:
                continue
            value = getattr(self, option.field)
            if value == _default(self, option.field):
                continue
            extras.append(f"{option.aliases[0] if option.aliases else option.field}={_option_text(value)}")
        if self.form != "module":
            extras.append(f"torch={self.form}")
        return out + (f"[{', '.join(extras)}]" if extras else "")

    def cost(self, x: Shape) -> Cost:
        """Shape-preserving and parameter-free: the output is a new tensor unless :attr:`in_place`."""
        return Cost(x, 0, 0, 0, 0, 0 if self.in_place else elements(x))

    def derive(self, t: Tex, x: Shape, out: Shape) -> Derived | None:
        """Its costs as formula, values and result for ``--derive``; None for a layer with nothing to derive."""
        return None

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        """The tensors it saves for backward, from :attr:`saves` (kinds with other needs override this)."""
        found = []
        for part in self.saves:
            if part == "input":
                found.append(("input", s.saved_input()))
            elif part == "output":
                found.append(("output", s.output))
            elif part == "indices":
                found.append(("indices", s.new(s.row.activations, INDEX_BYTES)))
            elif part == "mask":
                found.append(("mask", s.new(s.input.elements, 1 if s.device == "cuda" else s.input.itemsize)))
            else:
                raise AssertionError(f"{type(self).__name__} saves '{part}' without saying how")
        return found

    def fit(self, target: Shape | None) -> Layer:
        """The layer in a later branch of a join, ``target`` the first branch's output (crop and resize use it)."""
        return self

    def saves_weight_copy(self, input_grad: bool) -> bool:
        """Under autocast, whether it also saves the low-precision copy of its weight (conv, deconv: always)."""
        return True

    def transient(self, x: Shape, out: Shape, input_elements: Bound, itemsize: int, row: Any) -> Bound:
        """Bytes it holds only while it runs, besides its input and output (inference)."""
        return 0

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        """Its PyTorch module (with concrete sizes), for :func:`symcnn.to_torch`."""
        raise NotImplementedError


def _has_names(value: Value) -> bool:
    return type(value) is values.Name or type(value) is values.Op or type(value) is values.Apply


_META: dict[type, tuple[tuple[str, ...], tuple[str, ...], dict[tuple[Any, ...], str], dict[str, Any]]] = {}


def _meta(kind: type) -> tuple[tuple[str, ...], tuple[str, ...], dict[tuple[Any, ...], str], dict[str, Any]]:
    """Per kind, worked out once: its value fields, the fields its words fix, word by fixed values, defaults."""
    found = _META.get(kind)
    if found is None:
        fields = dataclasses.fields(kind)
        fixed = tuple(dict.fromkeys(name for values in kind.words.values() for name in values))
        words: dict[tuple[Any, ...], str] = {}
        for word, values in kind.words.items():
            words.setdefault(tuple(values.get(name) for name in fixed), word)
        defaults = {f.name: f.default if f.default is not dataclasses.MISSING else None for f in fields}
        found = _META[kind] = (tuple(f.name for f in fields if f.name not in ("span", "form")), fixed, words, defaults)
    return found


def _default(layer: Layer, name: str) -> Any:
    return _meta(type(layer))[3][name]


def _head(value: Any) -> str:
    """A kernel or size right after the word: digits, or braces for anything else (``conv{k}-64``)."""
    pair = value if isinstance(value, tuple) else (value, value)

    def one(v: Any) -> str:
        return str(v) if type(v) is int else "{" + (values.text(v) if _has_names(v) else arith.text(v)) + "}"

    if pair[0] == pair[1]:
        return one(pair[0])
    if type(pair[0]) is int and type(pair[1]) is int:
        return f"{pair[0]}x{pair[1]}"
    return one(pair[0]) + "x" + one(pair[1])


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        if value[0] == value[1]:
            return _option_text(value[0])
        return "x".join(arith.show(v) if type(v) is int else "{" + _option_text(v) + "}" for v in value)
    if type(value) is Word:
        return value.word
    if type(value) is Fraction:
        return arith.decimal(value)
    return values.text(value) if _has_names(value) else arith.text(value)


def _slot(value: Any) -> str:
    """A value after ``-`` or ``/``: a number, a name, or braces (a definition's body holds unbound values)."""
    return values.slot(value) if _has_names(value) else arith.show(value)


def elements(shape: Shape) -> Bound:
    return shape[0] * shape[1] * shape[2]


def count(value: Bound, what: str, minimum: int = 1) -> Bound:
    """Check a value that must be an integer >= minimum wherever it is a number."""
    ok = arith.is_positive_integer(value, minimum)
    if ok is False:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        shown = arith.text(value) if arith.numeric(value) else f"{value} (not a finite number)"
        raise LayerProblem(f"{what} is {shown}, but must be {kind}")
    return value


def pair(value: Any) -> tuple[Any, Any]:
    return value if isinstance(value, tuple) else (value, value)


def spatial(size: Bound, dim: str, before: Bound) -> Bound:
    """Check an output height or width: at least 1 as a number; not too long as a formula."""
    if arith.numeric(size):
        if size < 1:
            raise LayerProblem(f"the output {dim} is {size} (from input {dim} {arith.text(before)}); "
                               "it must be at least 1")
        return size
    from .. import limits, symbolic

    if symbolic.printed_size(size) > limits.MAX_SIZE_TERMS:
        raise LayerProblem(f"the symbolic output {dim} has grown past {limits.MAX_SIZE_TERMS:,} terms; "
                           "give the input size (--at), or state divisibility (--divisible)", "limit")
    return size


def window_out(size: Bound, k: Bound, s: Bound, p_left: Bound, p_right: Bound, d: Bound, ceil_mode: bool) -> Bound:
    """Output length of a convolution or pooling window, PyTorch's rule.

    floor((size + p_left + p_right - d(k - 1) - 1)/s) + 1; in ceil mode the ceiling, less one
    when the last window would start in the right padding.

    >>> window_out(224, 3, 2, 1, 1, 1, False), window_out(112, 3, 2, 0, 0, 1, True)
    (112, 56)
    """
    if all(arith.numeric(v) for v in (size, k, s, p_left, p_right, d)):
        span = size + p_left + p_right - d * (k - 1) - 1
        if not ceil_mode:
            return span // s + 1
        out = -(-span // s) + 1
        if (out - 1) * s >= size + p_left:  # the last window would start in the right padding
            out -= 1
        return out
    from .. import symbolic

    return symbolic.window_out(size, k, s, p_left + p_right, d, ceil_mode, p_right)


def groups_divide(c: Bound, n: Bound, g: Bound) -> None:
    for total, what in ((c, "input channels"), (n, "filters")):
        share = arith.div(total, g)
        if arith.numeric(share) and type(share) is not int:
            raise LayerProblem(f"{arith.text(g)} groups do not divide the {arith.text(total)} {what}")


def integer(value: Bound, what: str) -> int:
    """A concrete size for a torch module."""
    if type(value) is not int:
        raise LayerProblem(f"{what} is {arith.text(value)}; a torch module needs an integer")
    return value


REGISTRY: dict[str, type[Layer]] = {}
"""Every layer kind by each of its words; filled as the kinds' modules are imported (see :mod:`symcnn.layers`)."""
IMPORTS: dict[str, type[Layer]] = {}
"""Every kind by each PyTorch module or function name it reads back (:attr:`Layer.imports`)."""


def register(kind: type[Layer]) -> type[Layer]:
    """Class decorator: enter a kind's words into :data:`REGISTRY`."""
    for word in kind.words:
        if word in REGISTRY and REGISTRY[word] is not kind:
            raise AssertionError(f"the word '{word}' is taken by {REGISTRY[word].__name__}")
        REGISTRY[word] = kind
    for op in kind.imports:
        if op in IMPORTS and IMPORTS[op] is not kind:
            raise AssertionError(f"the PyTorch op '{op}' is read by {IMPORTS[op].__name__}")
        IMPORTS[op] = kind
    return kind
