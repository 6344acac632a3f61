"""The network: frozen dataclasses built from the parse tree, one per notation construct, and one walker.

Every construct is a node: a layer (:mod:`symcnn.layers`), or a :class:`Seq`,
:class:`Repeat`, :class:`Residual`, :class:`Concat`, :class:`Gate`, :class:`Split`,
:class:`Side` or :class:`Call`. :func:`children` and :func:`map_values` are the one way
to walk them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Union

from .constants import INPUT_SIZES
from .layers import Layer, Span
from .layers.base import NOWHERE
from .values import Name, Value, names

if TYPE_CHECKING:
    import sympy


@dataclass(frozen=True)
class Seq:
    """Items run one after the other: a group ``( … )``, a branch, or a whole body."""

    items: tuple[Node, ...]
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Repeat:
    """``item x<count>``: unrolled for a number; for a name, costs are multiplied.

    ``item x<count> as i`` names the instance: i is 0, 1, … in each (the count a number).
    """

    body: Node
    count: Value
    index: str | None = None
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Choice:
    """``if{condition}(then | otherwise)``: ``then`` where the condition is not 0, else ``otherwise`` (or nothing)."""

    condition: Value
    then: Seq
    otherwise: Seq | None = None
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Residual:
    """``res(main)`` is x + main(x); ``res(main | shortcut)`` is main(x) + shortcut(x)."""

    main: Seq
    shortcut: Seq | None
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Concat:
    """``concat(a | b | …)``: the same input to each branch, channels concatenated."""

    branches: tuple[Seq, ...]
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Gate:
    """``mul(body)``: x ⊙ body(x), where body(x) is 1x1xC or the shape of x; ``mul(body | other)``: body(x) ⊙ other(x)."""

    body: Seq
    other: Seq | None = None
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Split:
    """``split(a | b | …)``: the channels cut into equal parts, part i through branch i, outputs concatenated."""

    branches: tuple[Seq, ...]
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Side:
    """``side(body)``: a side output (an auxiliary head) on x; the main path goes on with x itself.

    ``side[on=aux](body)`` is there only where ``aux`` is not 0.
    """

    body: Seq
    on: Value = 1
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Call:
    """``name(args)``: a use of a ``def`` (or of a block passed to one as an argument)."""

    name: str
    args: tuple[Value, ...]
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Definition:
    """``def name(params) = body``."""

    name: str
    params: tuple[str, ...]
    body: Seq
    span: Span = field(default=NOWHERE, compare=False, kw_only=True)


Node = Union[Layer, Seq, Repeat, Residual, Concat, Gate, Split, Side, Choice, Call]
COMBINATORS = (Seq, Repeat, Residual, Concat, Gate, Split, Side, Choice)


def children(node: Any) -> tuple[Any, ...]:
    """The nodes directly inside ``node`` (a definition's body for a :class:`Definition`)."""
    if isinstance(node, Seq):
        return node.items
    if isinstance(node, Gate):
        return (node.body,) if node.other is None else (node.body, node.other)
    if isinstance(node, (Repeat, Side, Definition)):
        return (node.body,)
    if isinstance(node, Residual):
        return (node.main,) if node.shortcut is None else (node.main, node.shortcut)
    if isinstance(node, (Concat, Split)):
        return node.branches
    if isinstance(node, Choice):
        return (node.then,) if node.otherwise is None else (node.then, node.otherwise)
    return ()


def walk(node: Any) -> Iterator[Any]:
    """``node`` and every node inside it, parents first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def map_values(node: Any, fn: Callable[[Value], Value]) -> Any:
    """The same node with every value inside it (layer fields, counts, call arguments) passed through ``fn``."""
    if isinstance(node, Layer):
        changes = {}
        for name in node.value_fields():
            value = getattr(node, name)
            if isinstance(value, tuple):
                changes[name] = tuple(fn(v) for v in value)
            elif not (isinstance(value, (bool, str)) or value is None):
                changes[name] = fn(value)
        return dataclasses.replace(node, **changes)
    if isinstance(node, Call):
        return dataclasses.replace(node, args=tuple(fn(a) for a in node.args))
    if isinstance(node, Repeat):
        return dataclasses.replace(node, body=map_values(node.body, fn), count=fn(node.count))
    if isinstance(node, Definition):
        return dataclasses.replace(node, body=map_values(node.body, fn))
    if isinstance(node, Seq):
        return dataclasses.replace(node, items=tuple(map_values(item, fn) for item in node.items))
    if isinstance(node, Gate):
        return dataclasses.replace(node, body=map_values(node.body, fn),
                                   other=None if node.other is None else map_values(node.other, fn))
    if isinstance(node, Side):
        return dataclasses.replace(node, body=map_values(node.body, fn), on=fn(node.on))
    if isinstance(node, Residual):
        return dataclasses.replace(node, main=map_values(node.main, fn),
                                   shortcut=None if node.shortcut is None else map_values(node.shortcut, fn))
    if isinstance(node, (Concat, Split)):
        return dataclasses.replace(node, branches=tuple(map_values(b, fn) for b in node.branches))
    if isinstance(node, Choice):
        return dataclasses.replace(node, condition=fn(node.condition), then=map_values(node.then, fn),
                                   otherwise=None if node.otherwise is None else map_values(node.otherwise, fn))
    raise TypeError(f"not a network node: {node!r}")


def map_nodes(node: Any, fn: Callable[[Any], Any]) -> Any:
    """The same tree rebuilt bottom-up, each node (the inner ones first) passed through ``fn``."""
    if isinstance(node, Seq):
        node = dataclasses.replace(node, items=tuple(map_nodes(item, fn) for item in node.items))
    elif isinstance(node, Gate):
        node = dataclasses.replace(node, body=map_nodes(node.body, fn),
                                   other=None if node.other is None else map_nodes(node.other, fn))
    elif isinstance(node, (Repeat, Side, Definition)):
        node = dataclasses.replace(node, body=map_nodes(node.body, fn))
    elif isinstance(node, Residual):
        node = dataclasses.replace(node, main=map_nodes(node.main, fn),
                                   shortcut=None if node.shortcut is None else map_nodes(node.shortcut, fn))
    elif isinstance(node, (Concat, Split)):
        node = dataclasses.replace(node, branches=tuple(map_nodes(b, fn) for b in node.branches))
    elif isinstance(node, Choice):
        node = dataclasses.replace(node, then=map_nodes(node.then, fn),
                                   otherwise=None if node.otherwise is None else map_nodes(node.otherwise, fn))
    return fn(node)


def node_values(node: Any) -> Iterator[Value]:
    """Every value written directly in ``node`` (not in the nodes inside it)."""
    if isinstance(node, Layer):
        for name in node.value_fields():
            value = getattr(node, name)
            yield from (value if isinstance(value, tuple) else (value,))
    elif isinstance(node, Call):
        yield from node.args
    elif isinstance(node, Repeat):
        yield node.count
    elif isinstance(node, Side):
        yield node.on
    elif isinstance(node, Choice):
        yield node.condition


def used_names(node: Any) -> set[str]:
    """Every name used in ``node`` and inside it (but the index names of repeats, which it binds itself)."""
    found: set[str] = set()
    indexes: set[str] = set()
    for current in walk(node):
        if isinstance(current, Repeat) and current.index is not None:
            indexes.add(current.index)
        for value in node_values(current):
            if not isinstance(value, (bool, str)) and value is not None:
                found |= names(value)
        if isinstance(current, Call):
            found.add(current.name)
    return found - indexes


DEFAULT_INPUT = (Name("H"), Name("W"), Name("C"))


@dataclass(frozen=True)
class Network:
    """A parsed network: its input shape, its definitions and its body (and the text it was read from).

    >>> import symcnn
    >>> net = symcnn.parse("input 32x32x3\\nconv3-16, relu, gap, fc-10")
    >>> net.input, net.names
    ((32, 32, 3), ())
    """

    input: tuple[Value, Value, Value]
    definitions: tuple[Definition, ...]
    body: Seq
    text: str
    defaults: tuple[tuple[str, Value], ...] = ()
    """``let`` lines: names with the values they have unless the user gives others."""
    width: str | None = None
    """The name of the network's own width multiplier (a ``width`` line), which ``--width`` sets."""
    notes: tuple[str, ...] = ()
    """What an import could not keep general (a size that holds only where the model was traced), for every output."""

    @cached_property
    def _definitions(self) -> dict[str, Definition]:
        return {d.name: d for d in self.definitions}

    def definition(self, name: str) -> Definition:
        return self._definitions[name]

    @cached_property
    def sizes(self) -> frozenset[str]:
        """The names that size the input: positive integers."""
        return frozenset().union(*(names(d) for d in self.input))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The names a value can be given to, sorted (definition parameters and block names left out)."""
        found = set(self.sizes) | (used_names(self.body) - set(self._definitions)) | {n for n, _ in self.defaults}
        for _, value in self.defaults:
            found |= names(value)
        for definition in self.definitions:
            found |= used_names(definition.body) - set(definition.params) - set(self._definitions)
        return tuple(sorted(found - set(INPUT_SIZES)))

    @property
    def symbols(self) -> dict[str, sympy.Symbol]:
        """The SymPy symbol of each name, as the symbolic formulas use it (imports SymPy)."""
        from .symbolic import symbol

        return {name: symbol(name, name in self.sizes) for name in self.names}
