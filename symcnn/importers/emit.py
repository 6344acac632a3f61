"""Imported blocks written as readable notation: repeated modules as definitions, runs of equal ones as repeats.

The modules a model is made of (``Bottleneck``, ``InvertedResidual``, ``BasicConv2d``) are
its units: each instance of a module class that occurs more than once becomes a call of one
definition, named after the class (``bottleneck``), whose parameters are the numbers that
differ between its instances (a number always 4 times another is written ``{4*n}``).
Consecutive equal items become ``item xN``. Containers (``Sequential``, ``ModuleList``) are
looked through.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

from .. import arith, values
from ..layers import REGISTRY, Layer
from ..values import Name
from .graph import Item, Join, Leaf, Owners

CONTAINERS = {"Sequential", "ModuleList", "ModuleDict"}
RESERVED = {"input", "def", "res", "concat", "mul", "split", "side", "let", "if", "as", "width", "x", "true",
            "false", "floor", "ceil", "min", "max", "round", "make_divisible", "regnet_width", "regnet_groups",
            "regnet_depth", "regnet_stages", "H", "W", "C", "N", "H_in", "W_in", "C_in"}
FIELD_NAMES = {"out": "n", "kernel": "k", "stride": "s", "padding": "p", "dilation": "d", "groups": "g",
               "multiplier": "m", "output_padding": "q", "size": "z", "factor": "f", "p": "r"}
"""The letter a definition's parameter takes from the field it sets (n for a channel count, s for a stride)."""

Number = Union[int, Fraction]


@dataclass
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass
class Repeat:
    item: Any
    times: int


@dataclass
class _Unit:
    """The items one module instance computes (``layer1.0``, a ``Bottleneck``)."""

    cls: str
    items: list[Any]


@dataclass
class _Definition:
    name: str
    params: list[str]
    body: list[Any]


def _is_number(v: Any) -> bool:
    return (type(v) is int or type(v) is Fraction) and type(v) is not bool


def _holes(layer: Layer) -> tuple[tuple[Any, ...], list[tuple[str, Number]]]:
    """A layer's shape without its numbers, and its numbers with the field each sets."""
    shape: list[Any] = [type(layer).__name__]
    numbers: list[tuple[str, Number]] = []
    for name in layer.value_fields():
        value = getattr(layer, name)
        if isinstance(value, tuple):
            shape.append((name, len(value), tuple(None if _is_number(v) else v for v in value)))
            numbers += [(name, v) for v in value if _is_number(v)]
        elif _is_number(value):
            shape.append((name, "#"))
            numbers.append((name, value))
        else:
            shape.append((name, value))
    return tuple(shape), numbers


def _skeleton(items: list[Any]) -> tuple[tuple[Any, ...], list[tuple[str, Number]]]:
    shape: list[Any] = []
    numbers: list[tuple[str, Number]] = []
    for item in items:
        if isinstance(item, Leaf):
            s, n = _holes(item.layer)
        elif isinstance(item, Call):
            s, n = ("call", item.name, len(item.args)), [("a", a) for a in item.args]
        elif isinstance(item, Repeat):
            inner, n = _skeleton([item.item])
            s, n = ("repeat", inner), [("t", item.times), *n]
        elif isinstance(item, _Unit):
            inner, n = _skeleton(item.items)
            s = ("unit", item.cls, inner)
        elif isinstance(item, _Pending):
            s, n = ("pending", item.key), list(zip(item.fields, item.numbers))
        else:
            parts = [_skeleton(b) for b in item.branches]
            s = ("join", item.kind, tuple(p[0] for p in parts))
            n = [x for p in parts for x in p[1]]
        shape.append(s)
        numbers += n
    return tuple(shape), numbers


def _fill(items: list[Any], numbers: Iterator[Any]) -> list[Any]:
    """``items`` with their numbers, in order, replaced by ``numbers``."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, Leaf):
            changes = {}
            for name in item.layer.value_fields():
                value = getattr(item.layer, name)
                if isinstance(value, tuple):
                    if any(_is_number(v) for v in value):
                        changes[name] = tuple(next(numbers) if _is_number(v) else v for v in value)
                elif _is_number(value):
                    changes[name] = next(numbers)
            out.append(Leaf(dataclasses.replace(item.layer, **changes), item.owners, item.own))
        elif isinstance(item, Call):
            out.append(Call(item.name, tuple(next(numbers) for _ in item.args)))
        elif isinstance(item, Repeat):
            times = next(numbers)
            out.append(Repeat(_fill([item.item], numbers)[0], times))
        elif isinstance(item, _Pending):
            out.append(_Pending(item.key, [next(numbers) for _ in item.numbers], item.fields))
        else:
            out.append(Join(item.kind, [_fill(b, numbers) for b in item.branches], item.owners))
    return out


def _group(items: list[Item], depth: int) -> list[Any]:
    """``items`` with each run computed by one module instance (below ``depth`` levels of modules) as a unit."""
    out: list[Any] = []
    i = 0
    while i < len(items):
        key = _key(items[i], depth)
        j = i + 1
        while key is not None and j < len(items) and _key(items[j], depth) == key:
            j += 1
        run = items[i:j]
        if key is None:
            out += [_inside(item) for item in run]
        elif key[1] in CONTAINERS:
            out += _group(run, depth + 1)
        else:
            inner = _group(run, depth + 1)
            # A module that is one layer (a wrapper) is written as that layer.
            out += inner if len(inner) == 1 and isinstance(inner[0], Leaf) else [_Unit(key[1], inner)]
        i = j
    return out


def _key(item: Any, depth: int) -> tuple[str, str] | None:
    owners: Owners = item.owners
    if len(owners) <= depth or (isinstance(item, Leaf) and len(owners) == depth + 1 and item.own):
        return None
    return owners[depth]


def _inside(item: Any) -> Any:
    """A join with the units of its branches grouped (branches sit one module below the join's)."""
    if isinstance(item, Join):
        return Join(item.kind, [_group(b, len(item.owners)) for b in item.branches], item.owners)
    return item


class Writer:
    """Turns grouped items into definitions and calls, then into text."""

    def __init__(self, top: list[Any]) -> None:
        self.counts: dict[tuple[str, Any], int] = {}
        self._count(top)
        self.definitions: list[_Definition] = []
        self.named: dict[tuple[str, Any], _Definition] = {}
        self.instances: dict[tuple[str, Any], list[list[Number]]] = {}
        taken = set(REGISTRY) | RESERVED
        self.taken = taken
        self.top = self._collect(top)
        self._define()

    def _count(self, items: list[Any]) -> None:
        for item in items:
            if isinstance(item, _Unit):
                key = (item.cls, _skeleton(item.items)[0])
                # A resize to the size entering its branch must stay in that branch, not in a definition.
                self.counts[key] = -1 if _entering(item.items) else self.counts.get(key, 0) + 1
                self._count(item.items)
            elif isinstance(item, Join):
                for branch in item.branches:
                    self._count(branch)

    def _collect(self, items: list[Any]) -> list[Any]:
        """Units that recur replaced by calls (their numbers to be worked out), others inlined."""
        out: list[Any] = []
        for item in items:
            if isinstance(item, _Unit):
                inner = self._collect(item.items)
                key = (item.cls, _skeleton(item.items)[0])
                if self.counts[key] < 2:
                    out += inner
                    continue
                shape, numbers = _skeleton(inner)
                self.instances.setdefault(key, []).append([v for _, v in numbers])
                if key not in self.named:
                    self.named[key] = _Definition(self._name(item.cls), [], inner)
                out.append(_Pending(key, [v for _, v in numbers], [f for f, _ in numbers]))
            elif isinstance(item, Join):
                out.append(Join(item.kind, [self._collect(b) for b in item.branches], item.owners))
            else:
                out.append(item)
        return out

    def _name(self, cls: str) -> str:
        base = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", cls).lower()
        base = re.sub(r"[^a-z0-9_]", "_", base).strip("_") or "block"
        if not base[0].isalpha():
            base = "block_" + base
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name

    def _define(self) -> None:
        """Each recurring unit's definition: the columns of numbers that vary become its parameters."""
        self.args: dict[tuple[str, Any], list[int]] = {}
        for key, definition in self.named.items():
            rows = self.instances[key]
            fields = [f for f, _ in _skeleton(definition.body)[1]]
            columns = list(zip(*rows)) if rows and rows[0] else []
            # The parameters are the varying columns that are no whole multiple of another (4*n, not n/4).
            varying = list(dict.fromkeys(c for c in columns if len(set(c)) > 1))
            bases = [c for c in varying if _multiple(c, [("", o) for o in varying if o != c]) is None]
            params: list[tuple[str, tuple[Number, ...]]] = []
            used: dict[str, int] = {}
            for field_name, column in zip(fields, columns):
                if column in bases and column not in [c for _, c in params]:
                    letter = FIELD_NAMES.get(field_name, "a")
                    n = used[letter] = used.get(letter, 0) + 1
                    while (name := letter if n == 1 else f"{letter}{n}") in self.taken:
                        n = used[letter] = n + 1
                    params.append((name, column))
            filled: list[Any] = []
            for column in columns:
                if len(set(column)) == 1:
                    filled.append(column[0])
                else:
                    filled.append(next((Name(p) for p, c in params if c == column), None) or _multiple(column, params))
            definition.params = [p for p, _ in params]
            definition.body = _fill(definition.body, iter(filled))
            self.args[key] = [next(i for i, (f, c) in enumerate(zip(fields, columns)) if c == col)
                              for _, col in params]
            self.definitions.append(definition)
        # Definitions were named inner first (a unit's units before it), the order they must be written in.
        self.top = self._resolve(self.top)
        for definition in self.definitions:
            definition.body = self._resolve(definition.body)

    def _resolve(self, items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, _Pending):
                definition = self.named[item.key]
                out.append(Call(definition.name, tuple(item.numbers[i] for i in self.args[item.key])))
            elif isinstance(item, Join):
                out.append(Join(item.kind, [self._resolve(b) for b in item.branches], item.owners))
            else:
                out.append(item)
        return _repeats(out)

    def text(self, header: str, notes: list[str]) -> str:
        lines = [f"# {note}" for note in notes] + [header]
        for d in self.definitions:
            params = f"({', '.join(d.params)})" if d.params else ""
            lines.append(f"def {d.name}{params} = {_body(d.body)}")
        line = ""
        for item in self.top:
            text = _item(item)
            if isinstance(item, Leaf) and line and len(line) + len(text) < 100:
                line += ", " + text
                continue
            if line:
                lines.append(line)
            line = text
            if not isinstance(item, Leaf):
                lines.append(line)
                line = ""
        if line:
            lines.append(line)
        return "\n".join(lines) + "\n"


@dataclass
class _Pending:
    key: tuple[str, Any]
    numbers: list[Number]
    fields: list[str]


def _multiple(column: tuple[Number, ...], params: list[tuple[str, tuple[Number, ...]]]) -> Any:
    """``{r*p}`` when the column is a fixed whole multiple of a parameter's column."""
    for name, other in params:
        if 0 in other:
            continue
        ratio = Fraction(column[0]) / Fraction(other[0])
        if all(Fraction(c) == ratio * Fraction(o) for c, o in zip(column, other)) and \
                ratio.denominator == 1 and ratio > 1:
            return values.mul(values.exact(ratio), Name(name))
    return None


def _entering(items: list[Any]) -> bool:
    """Whether a resize to the size entering its block (``{H_in}x{W_in}``) is among ``items``."""
    for item in items:
        if isinstance(item, Leaf) and "H_in" in item.layer.notation():
            return True
        if isinstance(item, (_Unit, Repeat)) and _entering(item.items if isinstance(item, _Unit) else [item.item]):
            return True
        if isinstance(item, Join) and any(_entering(b) for b in item.branches):
            return True
    return False


def _repeats(items: list[Any]) -> list[Any]:
    """Runs of equal items as one ``item xN``."""
    out: list[Any] = []
    for item in items:
        text = _item(item)
        if out and _item(out[-1].item if isinstance(out[-1], Repeat) else out[-1]) == text:
            last = out[-1]
            out[-1] = Repeat(last.item, last.times + 1) if isinstance(last, Repeat) else Repeat(last, 2)
        else:
            out.append(item)
    return out


def _item(item: Any) -> str:
    if isinstance(item, Leaf):
        return item.layer.notation()
    if isinstance(item, Call):
        return item.name + (f"({', '.join(_argument(a) for a in item.args)})" if item.args else "")
    if isinstance(item, Repeat):
        inner = _item(item.item)
        return f"{inner} x{item.times}" if isinstance(item.item, (Leaf, Call, Join)) else f"({inner}) x{item.times}"
    branches = [_seq(b) for b in item.branches]
    if item.kind == "res":
        body = [b for b in branches if b != "id"] or ["id"]
        return f"res({' | '.join(body)})"
    if item.kind == "mul":
        body = [b for b in branches if b != "id"] or ["id"]
        return f"mul({' | '.join(body)})"
    return f"{item.kind}({' | '.join(branches)})"


def _argument(value: Any) -> str:
    """A call's argument: a number as a decimal where it has one (0.0125, not 1/80), else as written."""
    return arith.decimal(value) if type(value) is Fraction else values.text(value)


def _seq(items: list[Any]) -> str:
    return ", ".join(_item(i) for i in items) if items else "id"


def _body(items: list[Any]) -> str:
    """A definition's body: one line, or over several lines when long (a block's branches one a line)."""
    text = _seq(items)
    if len(text) <= 100:
        return text
    if len(items) == 1 and isinstance(items[0], Join):
        join = items[0]
        branches = [_seq(b) for b in join.branches]
        if join.kind in ("res", "mul"):
            branches = [b for b in branches if b != "id"] or ["id"]
        if len(branches) > 1:
            return f"{join.kind}(" + "\n    | ".join(branches) + ")"
    return "(\n    " + ",\n    ".join(_item(i) for i in items) + "\n)"


def notation(items: list[Item], channels: int, notes: list[str]) -> str:
    """The text of a network computing ``items`` on an input of ``channels`` channels."""
    writer = Writer(_group(items, 0))
    return writer.text(f"input HxWx{channels}", notes)
