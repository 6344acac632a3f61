"""Scaling a network without rewriting it: a width multiplier on the channels, a resolution on the input.

:func:`scaled` returns a new :class:`~symcnn.network.Network` whose conv, deconv and fc
channel counts are multiplied by the width (a name such as ``w`` or an exact number),
except the final classifier, and whose input is ``r x r x C``. Everything downstream
(the analysis, the formats, ``solve``, ``sweep``) then works on it unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections import Counter
from typing import Any

import sympy
from sympy import Expr, Integer, Rational

from .errors import SymcnnError
from .layers import FC, Conv, Deconv, Layer, Span
from .network import Call, Concat, Definition, Gate, Network, Node, Repeat, Residual, Seq
from .syntax import RESERVED, parse_assignment, symbol

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEFAULT_SIZES = (Integer(224), Integer(224), Integer(3))
"""The input the subcommands use where a network leaves its own input size open: 224x224x3."""


def make_divisible(value: Expr, divisor: int) -> Expr:
    """torchvision's ``_make_divisible(value, divisor)`` (from the TensorFlow MobileNet code), exactly.

    ``new = max(divisor, floor((value + divisor/2) / divisor) * divisor)``: the multiple of
    ``divisor`` nearest ``value`` (halves round up), at least ``divisor``; then, if that is
    below 90% of ``value``, one ``divisor`` more. Exact rational arithmetic replaces the
    float ``0.9 * v`` (they differ only where ``new`` is exactly ``0.9 * value``).

    >>> [make_divisible(sympy.Integer(v), 8) for v in (3, 12, 20, 36, 100)]
    [8, 16, 24, 40, 104]
    >>> make_divisible(48 * sympy.Rational(3, 4), 8)
    40
    """
    d = Integer(divisor)
    nearest = sympy.Max(d, d * sympy.floor(value / d + Rational(1, 2)))
    return sympy.Piecewise((nearest + d, nearest < Rational(9, 10) * value), (nearest, True))


def quantity(text: str, what: str, integer: bool = False) -> Expr:
    """A ``--width``/``--resolution`` value: a name (a new symbol) or an exact positive number.

    >>> quantity("w", "width"), quantity("0.75", "width"), quantity("r", "resolution", integer=True).is_integer
    (w, 3/4, True)
    """
    if NAME.fullmatch(text):
        if text.lower() in RESERVED:
            raise SymcnnError(f"'{text}' is a keyword and cannot name the {what}")
        return sympy.Symbol(text, positive=True, integer=True) if integer else symbol(text)
    value = parse_assignment(f"{what}={text}")[1]
    if not (value.is_Rational and value > 0) or (integer and not value.is_Integer):
        kind = "a positive integer" if integer else "a positive number"
        raise SymcnnError(f"the {what} must be a name or {kind}, not {text}")
    return value


def scaled(network: Network, width: Expr | str | None = None, resolution: Expr | str | None = None,
           round_channels: int | None = None) -> Network:
    """The network with every channel count times ``width`` and the input ``resolution x resolution x C``.

    The width multiplies the ``out`` of every conv, deconv and fc layer, except the final
    classifier: the last channel-producing layer in execution order, unless its channel
    count is tied to another branch (inside ``res``, ``concat``, ``mul`` or a symbolic
    repeat), in which case every layer scales. Input channels never scale. A ``def`` that
    holds the classifier and is used elsewhere is copied, so only the classifier's use stays
    unscaled. With ``round_channels=d`` each scaled count ``c*width`` becomes
    ``make_divisible(c*width, d)``. ``width`` and ``resolution`` are names (``"w"``) or
    exact values (``"0.75"``, a SymPy Rational).

    >>> import symcnn
    >>> net = scaled(symcnn.parse("input 32x32x3\\nconv3-64, gap, fc-10"), width="w", resolution="r")
    >>> net.analyze().totals["params"]
    2432*w + 10
    >>> scaled(symcnn.load("vgg16"), width="0.5").analyze().at("224x224x3").totals["params"]
    35617672
    """
    factor = _value(width, "width", False) if width is not None else None
    size = _value(resolution, "resolution", True) if resolution is not None else None
    if round_channels is not None and not (isinstance(round_channels, int) and round_channels >= 1):
        raise SymcnnError(f"--round-channels takes a positive integer, not {round_channels!r}")
    spatial = {d for d in network.input[:2] if d.is_Symbol}
    for value, what, allowed in ((factor, "width", set()), (size, "resolution", spatial)):
        if value is not None and value.is_Symbol and value.name in network.symbols and \
                network.symbols[value.name] not in allowed:
            raise SymcnnError(f"the network already has a name '{value}'; choose another name for the {what}",
                              hint=f"or give '{value}' values itself with --set {value}=...")
    if factor is not None and factor.is_Symbol and size is not None and factor.name == str(size):
        raise SymcnnError(f"the width and the resolution cannot share the name '{factor}'")
    if size is not None:
        network = with_input(network, (size, size, network.input[2]))
    if factor is not None:
        network = _Widen(network, factor, round_channels).network()
    elif round_channels is not None:
        raise SymcnnError("--round-channels rounds scaled channel counts: give a --width too")
    return network


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--width``, ``--resolution`` and ``--round-channels``, as the main command takes them."""
    parser.add_argument("--width", metavar="W", help="multiply every channel count (but the classifier's) by W, "
                        "a name such as w or a number such as 0.75")
    parser.add_argument("--resolution", metavar="R", help="input R x R (a name such as r, or a number)")
    parser.add_argument("--round-channels", type=int, metavar="D", help="round each scaled channel count as "
                        "MobileNets do (torchvision's _make_divisible(c*W, D))")


def from_arguments(network: Network, args: argparse.Namespace) -> Network:
    """The network scaled as ``--width``, ``--resolution`` and ``--round-channels`` say (unchanged without them)."""
    if args.width is None and args.resolution is None and args.round_channels is None:
        return network
    return scaled(network, args.width, args.resolution, args.round_channels)


def fixed_input(network: Network, keep: frozenset[Expr] = frozenset()) -> tuple[Expr, Expr, Expr]:
    """The network's input with each size it leaves open (a bare name not in ``keep``) as in 224x224x3.

    >>> import symcnn
    >>> fixed_input(symcnn.load("vgg16")), fixed_input(symcnn.parse("input 32x32x1\\nconv3-8"))
    ((224, 224, 3), (32, 32, 1))
    """
    return tuple(default if d.is_Symbol and d not in keep else d  # type: ignore[return-value]
                 for d, default in zip(network.input, DEFAULT_SIZES))


def with_input(network: Network, dims: tuple[Expr, Expr, Expr]) -> Network:
    """The network with another input; where a size was a bare name, every use of the name follows.

    >>> import symcnn
    >>> dims = (sympy.Integer(32), sympy.Integer(32), sympy.Integer(3))
    >>> with_input(symcnn.parse("input HxWx3\\navgpool{H/4}"), dims).analyze().rows[-1].output
    (4, 4, 3)
    """
    replace = {old: new for old, new in zip(network.input, dims) if old.is_Symbol}
    return Network(tuple(dims), _substituted(network.definitions, replace),  # type: ignore[arg-type]
                   _substituted(network.body, replace), network.text)


def _value(value: Expr | str, what: str, integer: bool) -> Expr:
    if isinstance(value, str):
        return quantity(value, what, integer)
    if isinstance(value, Expr) and (value.is_Symbol or (value.is_Rational and value > 0)):
        if integer and value.is_Symbol and not value.is_integer:
            return sympy.Symbol(value.name, positive=True, integer=True)
        if integer and not value.is_integer:
            raise SymcnnError(f"the {what} must be a positive integer, not {value}")
        return value
    raise SymcnnError(f"the {what} must be a name or an exact positive number, not {value!r}")


def _substituted(node: Any, replace: dict[Expr, Expr]) -> Any:
    if isinstance(node, sympy.Basic):
        return node.xreplace(replace)
    if isinstance(node, tuple):
        return tuple(_substituted(item, replace) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, Span):
        return dataclasses.replace(node, **{f.name: _substituted(getattr(node, f.name), replace)
                                            for f in dataclasses.fields(node)})
    return node


def channel_layer(node: object) -> bool:
    """A layer that sets its own channel count: conv (not depthwise), deconv, fc."""
    return isinstance(node, (Conv, Deconv, FC)) and node.out is not None


class _Widen:
    """Every channel layer's ``out`` times the factor, but the final classifier's."""

    def __init__(self, network: Network, factor: Expr, divisor: int | None) -> None:
        self.source = network
        self.factor = factor
        self.divisor = divisor
        self.definitions = {d.name: dataclasses.replace(d, body=self.all(d.body)) for d in network.definitions}
        self.uses = Counter(call.name for call in _calls(network))
        self.copies: list[Definition] = []

    def network(self) -> Network:
        body, _ = self.last(self.source.body, shared=False)
        definitions = tuple(self.definitions.values()) + tuple(self.copies)
        return Network(self.source.input, definitions, body, self.source.text)  # type: ignore[arg-type]

    def layer(self, layer: Layer) -> Layer:
        if not channel_layer(layer):
            return layer
        out = layer.out * self.factor  # type: ignore[attr-defined]
        if self.divisor is not None:
            out = make_divisible(out, self.divisor)
        return dataclasses.replace(layer, out=out)  # type: ignore[call-arg]

    def all(self, node: Any) -> Any:
        """Every channel layer scaled (calls keep pointing at the scaled definitions)."""
        if isinstance(node, Layer):
            return self.layer(node)
        if isinstance(node, tuple):
            return tuple(self.all(item) for item in node)
        if isinstance(node, (Seq, Repeat, Residual, Concat, Gate)):
            return dataclasses.replace(node, **{f.name: self.all(getattr(node, f.name))
                                                for f in dataclasses.fields(node)})
        return node

    def last(self, node: Node, shared: bool) -> tuple[Node, str | None]:
        """``node`` scaled, its last channel layer left alone; and whether that was ``exempt``,
        ``tied`` (found where its count must match another: nothing exempt) or None (not found)."""
        if isinstance(node, Layer):
            return (node, "exempt") if channel_layer(node) else (node, None)
        if isinstance(node, Seq):
            items = list(node.items)
            for i in reversed(range(len(items))):
                items[i], found = self.last(items[i], shared)
                if found:
                    return Seq(self.all(tuple(items[:i])) + tuple(items[i:]), node.span), found
            return node, None
        if isinstance(node, Repeat) and node.count.is_Integer:
            times = int(node.count)
            body, found = self.last(node.body, shared or times > 1)
            if found != "exempt" or times == 1:
                return dataclasses.replace(node, body=body), found
            rest = Repeat(self.all(node.body), Integer(times - 1), node.span)
            return Seq((rest, body), node.span), found
        if isinstance(node, Call):
            return self.call(node, shared)
        return self.all(node), "tied" if self.has_channels(node) else None

    def has_channels(self, node: Any) -> bool:
        if isinstance(node, Call):
            return self.has_channels(self.source.definition(node.name).body)
        if isinstance(node, tuple):
            return any(self.has_channels(item) for item in node)
        if isinstance(node, (Seq, Repeat, Residual, Concat, Gate)):
            return any(self.has_channels(getattr(node, f.name)) for f in dataclasses.fields(node))
        return channel_layer(node)

    def call(self, node: Call, shared: bool) -> tuple[Node, str | None]:
        source = self.source.definition(node.name)
        shared = shared or self.uses[node.name] > 1
        body, found = self.last(source.body, shared)
        if found != "exempt":
            return node, found
        if not shared:
            self.definitions[node.name] = dataclasses.replace(source, body=body)
            return node, found
        taken = set(self.definitions) | {d.name for d in self.copies}
        name = next(f"{node.name}_out{i or ''}" for i in range(len(taken) + 1) if f"{node.name}_out{i or ''}" not in taken)
        self.copies.append(dataclasses.replace(source, name=name, body=body))
        return dataclasses.replace(node, name=name), found


def _calls(network: Network) -> list[Call]:
    """Every call written in the network: in the body and in every definition."""
    found: list[Call] = []
    stack: list[Any] = [network.body] + [d.body for d in network.definitions]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            found.append(node)
        elif isinstance(node, tuple):
            stack.extend(node)
        elif isinstance(node, (Seq, Repeat, Residual, Concat, Gate)):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return found
