"""Other tools' numbers: what ptflops, thop, fvcore, torchinfo, … would print for a network, and why.

Each tool's convention is data (:mod:`symcnn.conventions.tools`): for each layer kind, the rule the
tool counts it by, with the line of the tool's source it follows. The rules are applied to the
rows of an analysis, so every tool's figure is exact, per layer, in the same names as symcnn's own;
the difference from symcnn's figure is broken down by kind.

The rules describe the tool run on the network as PyTorch modules (``symcnn.to_torch``'s, or
torchvision's where it writes a layer the same way): a tool that sees only ``nn.Module`` hooks
counts a ``torch.nn.functional`` call as nothing.

>>> import symcnn
>>> counted = as_tool(symcnn.load("resnet50").analyze().at("224x224x3"), "fvcore")
>>> counted.total, counted.parts["bn"]
(4111512576, 22227968)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import arith
from ..errors import SymcnnError
from .rules import Bound, Convention, Item, Rule
from .tools import TOOLS

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..tree import Row

__all__ = ["TOOLS", "Convention", "Counted", "Item", "Match", "Rule", "as_tool", "every_tool", "explain", "items"]


@dataclass(frozen=True)
class Counted:
    """A tool's figure for one analysis: the total, each row's count, and the sum of each kind."""

    convention: Convention
    total: Bound
    rows: list[tuple[Row, Bound, Bound]]  # each row, the tool's count and symcnn's figure in the tool's unit
    parts: dict[str, Bound]  # by kind, or kind:form where the row's form has a rule of its own (see _key)
    own: dict[str, Bound]  # symcnn's figure by the same keys
    rules: dict[str, Rule | None]  # the rule each key was counted by (None: not counted)

    @property
    def shown(self) -> Bound:
        """The figure as the tool prints it (torchvision's column: GFLOPS to three decimals)."""
        digits = self.convention.decimals
        if digits is None or not arith.numeric(self.total):
            return self.total
        return Fraction(round(Fraction(self.total, 10**9), digits)) * 10**9

    @property
    def own_total(self) -> Bound:
        """symcnn's own figure, in the tool's unit."""
        return _tidy(arith.total(list(self.own.values())))

    @property
    def differences(self) -> list[tuple[str, Rule | None, Bound]]:
        """What this tool counts otherwise than symcnn: (kind or kind:form, its rule, tool - symcnn), largest first."""
        found = [(key, self.rules[key], self.parts[key] - self.own[key]) for key in self.parts]
        found = [item for item in found if item[2] != 0]
        return sorted(found, key=lambda item: -abs(item[2]) if arith.numeric(item[2]) else 0)


def items(analysis: Analysis, sides: bool = False) -> list[Item]:
    """The rows of the main path (and the side outputs', if ``sides``) with their input and output elements."""
    inputs = {block.row: block.input for block in analysis.tree.blocks() if block.row is not None}
    batch = analysis.batch_size
    found = []
    for row in analysis.rows:
        if (row.side and not sides) or row.kind == "input":
            continue
        shape = inputs.get(row.index) if row.layer is not None else None
        found.append(Item(row, row.output if shape is None else shape, batch))
    return found


def as_tool(analysis: Analysis, name: str, sides: bool = False) -> Counted:
    """The figure tool ``name`` gives for this network, per row and in total (see :data:`TOOLS`).

    Side outputs (auxiliary heads) count only with ``sides``: a tool sees them where the model runs
    them in inference (torchvision's segmentation models with ``aux_loss=True``).

    >>> import symcnn
    >>> as_tool(symcnn.load("resnet50").analyze().at("224x224x3"), "thop").total
    4133742592
    """
    if name not in TOOLS:
        raise SymcnnError(f"--as {name}: not a tool symcnn knows", hint=f"one of: {', '.join(TOOLS)}, all")
    convention = TOOLS[name]
    rows, parts, own, rules = [], {}, {}, {}
    for item in items(analysis, sides):
        row = item.row
        key, rule = _rule(convention, row)
        if convention.unit == "params":  # Keras: buffers are non-trainable weights
            count, mine = (row.params + row.buffers) * row.count, row.params * row.count
        else:
            count = rule.count(item) * row.count if rule is not None else 0
            mine = convention.base * item.macs * row.count
        rows.append((row, _tidy(count), _tidy(mine)))
        parts[key] = parts.get(key, 0) + count
        own[key] = own.get(key, 0) + mine
        rules[key] = rule
    total = arith.total(list(parts.values()))
    return Counted(convention, _tidy(total), rows, {k: _tidy(v) for k, v in parts.items()},
                   {k: _tidy(v) for k, v in own.items()}, rules)


def _rule(convention: Convention, row: Row) -> tuple[str, Rule | None]:
    """The rule for a row, by its kind and how PyTorch computes it (``torch=``: see :attr:`Layer.forms`), and its key.

    A form a convention lists as ``kind:form`` has its own rule (and key); otherwise ``function`` counts
    as the module does (the tools that see operations) or 0 (the tools that hook modules), ``mean`` (a
    ``Tensor.mean``, which no tool counts) 0, and ``last`` as the module.
    """
    form = getattr(row.layer, "form", "module")
    key = f"{row.kind}:{form}"
    if form == "module":
        return row.kind, convention.rules.get(row.kind)
    own = convention.rules.get(key)
    if own is not None or form == "mean" or (form == "function" and convention.hooks):
        return key, own
    return row.kind, convention.rules.get(row.kind)


def _tidy(value: Bound) -> Bound:
    if arith.numeric(value):
        return int(value) if Fraction(value).denominator == 1 else Fraction(value)
    import sympy

    return arith.norm(sympy.expand(value))


def every_tool(analysis: Analysis) -> list[Counted]:
    """:func:`as_tool` for every tool, in the order of :data:`TOOLS`."""
    return [as_tool(analysis, name) for name in TOOLS]


@dataclass(frozen=True)
class Match:
    """A figure some convention gives, and how far it is from the number asked about."""

    label: str
    figure: Bound
    gap: Fraction


def explain(analysis: Analysis, number: str) -> tuple[list[Match], Match]:
    """The conventions whose figure rounds to ``number`` (as precise as it is written), and the closest one.

    >>> import symcnn
    >>> found, closest = explain(symcnn.load("resnet50").analyze().at("224x224x3"), "4.11e9")
    >>> [m.label for m in found]
    ['fvcore 0.1.5 (MACs)', 'DeepSpeed 0.19.8 flops profiler (FLOPs / 2)']
    """
    value, step = _read(number)
    if not analysis.is_numeric:
        raise SymcnnError("--explain needs numbers: give the input size and every name a value (--at, --set)")
    candidates = [("symcnn (MACs)", analysis.totals["macs"]), ("symcnn (FLOPs = 2 x MACs)", analysis.totals["flops"]),
                  ("symcnn (params)", analysis.totals["params"])]
    for counted in every_tool(analysis):
        c = counted.convention
        candidates.append((f"{c.title} ({c.unit})", _tidy(counted.shown)))
        if c.unit == "FLOPs":
            candidates.append((f"{c.title} (FLOPs / 2)", _tidy(Fraction(counted.shown) / 2)))
    scored = [Match(label, figure, _tidy(abs(Fraction(figure) - value))) for label, figure in candidates]
    found = [m for m in scored if m.gap * 2 <= step]
    return found, min(scored, key=lambda m: m.gap)


def _read(number: str) -> tuple[Fraction, Fraction]:
    """``4.11e9`` as an exact number, and its last written digit's unit (0.01e9): the rounding the user typed."""
    import re

    text = number.strip().replace(",", "").replace("_", "")
    scale = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
    match = re.fullmatch(r"([0-9]+)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]{1,4}))?\s*([kKmMgGtT]?)", text)
    if match is None:
        raise SymcnnError(f"--explain {number}: not a number", hint="write it as the tool printed it, e.g. 4.11e9, "
                          "4,111,512,576 or 4.11G")
    whole, digits, power, unit = match.groups()
    digits = digits or ""
    factor = Fraction(10) ** int(power or 0) * scale.get(unit.lower(), 1)
    value = Fraction(int(whole + digits), 10 ** len(digits)) * factor
    return value, Fraction(1, 10 ** len(digits)) * factor
