"""Scaling a network without rewriting it: a width multiplier on the channels, a resolution on the input.

:func:`scaled` returns a new :class:`~symcnn.network.Network` whose channel counts (the
``out`` of every conv, deconv and fc) are multiplied by the width (a name such as ``w``
or an exact number), except the final classifier, and whose input is ``r x r x C``.
Everything downstream (the analysis, the formats, ``solve``, ``sweep``) then works on it
unchanged.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any

from . import arith, values
from .errors import SymcnnError
from .layers import Layer
from .network import Call, Definition, Network, Node, Repeat, Seq, map_nodes, map_values, used_names, walk
from .syntax import RESERVED, parse_value
from .values import Name, Value

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEFAULT_SIZES = (224, 224, 3)
"""The input the subcommands use where a network leaves its own input size open: 224x224x3."""


def make_divisible(value: Any, divisor: int) -> Any:
    """torchvision's ``_make_divisible(value, divisor)`` (from the TensorFlow MobileNet code), exactly.

    ``new = max(divisor, floor((value + divisor/2) / divisor) * divisor)``: the multiple of
    ``divisor`` nearest ``value`` (halves round up), at least ``divisor``; then, if that is
    below 90% of ``value``, one ``divisor`` more. Exact rational arithmetic replaces the
    float ``0.9 * v`` (they differ only where ``new`` is exactly ``0.9 * value``).

    >>> from fractions import Fraction
    >>> [make_divisible(v, 8) for v in (3, 12, 20, 36, 100)], make_divisible(48 * Fraction(3, 4), 8)
    ([8, 16, 24, 40, 104], 40)
    """
    value = arith.norm(value)
    if arith.numeric(value):
        return values.n_make_divisible(value, divisor)
    from .symbolic import make_divisible as symbolic_make_divisible

    return symbolic_make_divisible(value, divisor)


def quantity(text: str, what: str, integer: bool = False) -> Value:
    """A ``--width``/``--resolution`` value: a name, or an exact positive number.

    >>> quantity("w", "width"), quantity("0.75", "width"), quantity("1e2", "resolution", integer=True)
    (Name(name='w'), Fraction(3, 4), 100)
    """
    if NAME.fullmatch(text):
        if text.lower() in RESERVED:
            raise SymcnnError(f"'{text}' is a keyword and cannot name the {what}")
        return Name(text)
    value = parse_value(text, f"the {what}")
    if not value > 0 or (integer and type(value) is not int):
        kind = "a positive integer" if integer else "a positive number"
        raise SymcnnError(f"the {what} must be a name or {kind}, not {text}")
    return value


def _value(value: Value | str | Any, what: str, integer: bool) -> Value:
    if isinstance(value, str):
        return quantity(value, what, integer)
    if type(value) is Name:
        return value
    if getattr(value, "is_Symbol", False):
        return Name(value.name)
    number = arith.norm(value)
    if arith.numeric(number) and number > 0 and (not integer or type(number) is int):
        return number  # type: ignore[no-any-return]
    raise SymcnnError(f"the {what} must be a name or an exact positive number, not {value!r}")


def scaled(network: Network, width: Any = None, resolution: Any = None, round_channels: int | None = None) -> Network:
    """The network with every channel count times ``width`` and the input ``resolution x resolution x C``.

    The width multiplies the channel count of every layer kind that sets its own (conv,
    deconv, fc: their ``scales`` field), except the final classifier: the last such layer in
    execution order, unless its channel count is tied to another branch (inside ``res``,
    ``concat``, ``mul`` or a symbolic repeat), in which case every layer scales. Input
    channels never scale. A ``def`` that holds the classifier and is used elsewhere is
    copied, so only the classifier's use stays unscaled. With ``round_channels=d`` each
    scaled count ``c*width`` becomes ``make_divisible(c*width, d)``.

    >>> import symcnn
    >>> net = scaled(symcnn.parse("input 32x32x3\\nconv3-64, gap, fc-10"), width="w", resolution="r")
    >>> symcnn.analysis.analyze(net).totals["params"]
    2432*w + 10
    >>> symcnn.analysis.analyze(scaled(symcnn.load("vgg16"), width="0.5")).at("224x224x3").totals["params"]
    35617672
    """
    factor = _value(width, "width", False) if width is not None else None
    size = _value(resolution, "resolution", True) if resolution is not None else None
    if round_channels is not None and not (isinstance(round_channels, int) and round_channels >= 1):
        raise SymcnnError(f"--round-channels takes a positive integer, not {round_channels!r}")
    spatial = {d.name for d in network.input[:2] if type(d) is Name}
    own = {network.width} if network.width is not None else set()
    for value, what, allowed in ((factor, "width", own), (size, "resolution", spatial)):
        if type(value) is Name and value.name in network.names and value.name not in allowed:
            raise SymcnnError(f"the network already has a name '{value.name}'; choose another name for the {what}",
                              hint=f"or give '{value.name}' values itself with --set {value.name}=...")
    if type(factor) is Name and type(size) is Name and factor.name == size.name:
        raise SymcnnError(f"the width and the resolution cannot share the name '{factor.name}'")
    if size is not None:
        network = with_input(network, (size, size, network.input[2]))
    if factor is not None and network.width is not None:
        return own_width(network, factor, round_channels)
    if factor is not None:
        if any("C_in" in used_names(root) for root in (network.body, *(d.body for d in network.definitions))):
            # Its channel expressions read the channels entering a block, which the multiplier has scaled
            # already: scaling each layer again would count them twice and could change which blocks exist.
            raise SymcnnError("this network reads the channels entering its blocks (C_in), so a width multiplier "
                              "applied to every layer from outside would scale them twice",
                              hint="a network with its own `width` line takes --width (mobilenet_v2, "
                                   "efficientnet_b0, mnasnet1_0, mobilenet_v3_large, regnet_y_400mf); others take "
                                   "their own numbers with --set")
        network = _Widen(network, factor, round_channels).network()
    elif round_channels is not None:
        raise SymcnnError("--round-channels rounds scaled channel counts: give a --width too")
    return network


def own_width(network: Network, factor: Value, round_channels: int | None) -> Network:
    """A network that declares its own width multiplier (``width w``): ``--width`` gives that name its value.

    Its file rounds where its paper (and torchvision) round, so ``--round-channels`` does not apply.
    A name for the width keeps the multiplier open under that name.
    """
    name = network.width
    assert name is not None
    if round_channels is not None:
        raise SymcnnError(f"this network rounds its own channel counts (its width multiplier is {name}): "
                          "--round-channels does not apply", hint=f"give the width alone: --width {name} or --width 0.75")
    defaults = tuple((n, v) for n, v in network.defaults if n != name)
    if type(factor) is Name:
        renamed = with_names(dataclasses.replace(network, defaults=defaults), {name: factor})
        return dataclasses.replace(renamed, width=factor.name)
    return dataclasses.replace(network, defaults=defaults + ((name, factor),))


def with_names(network: Network, mapping: dict[str, Value]) -> Network:
    """The network with names replaced by values (or other names) everywhere they are used."""

    def put(value: Value) -> Value:
        return values.substitute(value, mapping)

    return dataclasses.replace(network, input=tuple(put(d) for d in network.input),
                               definitions=tuple(map_values(d, put) for d in network.definitions),
                               body=map_values(network.body, put),
                               defaults=tuple((n, put(v)) for n, v in network.defaults))


def fixed_input(network: Network, keep: frozenset[str] = frozenset()) -> tuple[Value, Value, Value]:
    """The network's input with each size it leaves open (a bare name not in ``keep``) as in 224x224x3.

    >>> import symcnn
    >>> fixed_input(symcnn.load("vgg16")), fixed_input(symcnn.parse("input 32x32x1\\nconv3-8"))
    ((224, 224, 3), (32, 32, 1))
    """
    return tuple(default if type(d) is Name and d.name not in keep else d  # type: ignore[return-value]
                 for d, default in zip(network.input, DEFAULT_SIZES))


def with_input(network: Network, dims: tuple[Value, Value, Value]) -> Network:
    """The network with another input; where a size was a bare name, every use of the name follows.

    >>> import symcnn
    >>> net = with_input(symcnn.parse("input HxWx3\\navgpool{H/4}"), (32, 32, 3))
    >>> symcnn.analysis.analyze(net).rows[-1].output
    (4, 4, 3)
    """
    mapping = {old.name: new for old, new in zip(network.input, dims) if type(old) is Name}
    return dataclasses.replace(with_names(network, mapping), input=tuple(dims))


def channel_layer(node: object) -> bool:
    """A layer that sets its own channel count: its kind names the field a width scales (conv, deconv, fc)."""
    return isinstance(node, Layer) and node.scales is not None


class _Widen:
    """Every channel layer's count times the factor, but the final classifier's."""

    def __init__(self, network: Network, factor: Value, divisor: int | None) -> None:
        self.source = network
        self.factor = factor
        self.divisor = divisor
        self.definitions = {d.name: dataclasses.replace(d, body=self.all(d.body)) for d in network.definitions}
        self.uses = Counter(node.name for root in (network.body, *network.definitions) for node in walk(root)
                            if isinstance(node, Call))
        self.copies: list[Definition] = []

    def network(self) -> Network:
        body, _ = self.last(self.source.body, shared=False)
        definitions = tuple(self.definitions.values()) + tuple(self.copies)
        return dataclasses.replace(self.source, definitions=definitions, body=body)

    def layer(self, layer: Layer) -> Layer:
        field = layer.scales
        out = values.mul(getattr(layer, field), self.factor)
        if self.divisor is not None:
            out = values.function("make_divisible", (out, self.divisor))
        return dataclasses.replace(layer, **{field: out})

    def all(self, node: Any) -> Any:
        """Every channel layer scaled (calls keep pointing at the scaled definitions)."""
        return map_nodes(node, lambda n: self.layer(n) if channel_layer(n) else n)

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
                    return Seq(self.all(Seq(tuple(items[:i]))).items + tuple(items[i:]), span=node.span), found
            return node, None
        if isinstance(node, Repeat) and type(node.count) is int:
            times = node.count
            body, found = self.last(node.body, shared or times > 1)
            if found != "exempt" or times == 1:
                return dataclasses.replace(node, body=body), found
            rest = Repeat(self.all(node.body), times - 1, span=node.span)
            return Seq((rest, body), span=node.span), found
        if isinstance(node, Call):
            return self.call(node, shared)
        return self.all(node), "tied" if self.has_channels(node) else None

    def has_channels(self, node: Any) -> bool:
        return any(channel_layer(n) or (isinstance(n, Call) and n.name in self.definitions and
                                        self.has_channels(self.source.definition(n.name).body)) for n in walk(node))

    def call(self, node: Call, shared: bool) -> tuple[Node, str | None]:
        if node.name not in self.definitions:
            return node, None  # a block passed as an argument
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
