"""The network: frozen dataclasses built from the parse tree, one per notation construct."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Union

import sympy

from .layers import Layer, Shape, Span

if TYPE_CHECKING:
    from .analysis import Analysis


@dataclass(frozen=True)
class Seq:
    """Items run one after the other: a group ``( … )``, a branch, or a whole body."""

    items: tuple[Node, ...]
    span: Span


@dataclass(frozen=True)
class Repeat:
    """``item x<count>``: unrolled for a number; for a name, costs are multiplied."""

    body: Node
    count: sympy.Expr
    span: Span


@dataclass(frozen=True)
class Residual:
    """``res(main)`` is x + main(x); ``res(main | shortcut)`` is main(x) + shortcut(x)."""

    main: Seq
    shortcut: Seq | None
    span: Span


@dataclass(frozen=True)
class Concat:
    """``concat(a | b | …)``: the same input to each branch, channels concatenated."""

    branches: tuple[Seq, ...]
    span: Span


@dataclass(frozen=True)
class Gate:
    """``mul(body)``: x ⊙ body(x), where body(x) is 1x1xC or the shape of x."""

    body: Seq
    span: Span


@dataclass(frozen=True)
class Call:
    """``name(args)``: a use of a ``def``."""

    name: str
    args: tuple[sympy.Expr, ...]
    span: Span


@dataclass(frozen=True)
class Definition:
    """``def name(params) = body``."""

    name: str
    params: tuple[sympy.Symbol, ...]
    body: Seq
    span: Span


Node = Union[Layer, Seq, Repeat, Residual, Concat, Gate, Call]


@dataclass(frozen=True)
class Network:
    """A parsed network: its input shape, its definitions and its body.

    >>> import symcnn
    >>> net = symcnn.parse("input 32x32x3\\nconv3-16, relu, gap, fc-10")
    >>> net.input
    (32, 32, 3)
    >>> net.analyze().totals["params"]
    618
    """

    input: Shape
    definitions: tuple[Definition, ...]
    body: Seq
    text: str

    @cached_property
    def symbols(self) -> dict[str, sympy.Symbol]:
        """The names a value can be given to (definition parameters excluded), by name."""
        found: set[sympy.Symbol] = set().union(*(d.free_symbols for d in self.input))
        found |= _symbols(self.body)
        for definition in self.definitions:
            found |= _symbols(definition.body) - set(definition.params)
        return {s.name: s for s in sorted(found, key=str)}

    def definition(self, name: str) -> Definition:
        return next(d for d in self.definitions if d.name == name)

    def analyze(self, dtype: str = "fp32", divisible: int | None = None,
                batch: int | str | sympy.Expr = 1) -> Analysis:
        """Analyse the network symbolically (names stay names); see :class:`Analysis`.

        ``batch`` multiplies activations and MACs: a number, or a name such as ``"N"``.
        """
        from .analysis import analyze

        return analyze(self, {}, dtype=dtype, divisible=divisible, batch=batch)


def _symbols(node: object) -> set[sympy.Symbol]:
    if isinstance(node, sympy.Basic):
        return set(node.free_symbols)  # type: ignore[arg-type]
    if isinstance(node, tuple):
        return set().union(*(_symbols(item) for item in node))
    if dataclasses.is_dataclass(node) and not isinstance(node, Span):
        return set().union(*(_symbols(getattr(node, f.name)) for f in dataclasses.fields(node)))
    return set()
