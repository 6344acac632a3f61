"""``--as TOOL``, ``--as all`` and ``--explain NUMBER``: other tools' figures as text or JSON."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .. import arith
from ..conventions import Counted, Match, Rule
from .table import align


def figure(counted: Counted) -> str:
    """The figure as the tool prints it: an exact count, or torchvision's GFLOPS to three decimals."""
    digits = counted.convention.decimals
    if digits is not None and arith.numeric(counted.total):
        scaled = int(Fraction(counted.shown) * 10**digits / 10**9)
        return f"{scaled // 10**digits}.{scaled % 10**digits:0{digits}d} G"
    return arith.number(counted.total)


def _signed(value: Any) -> str:
    if not arith.numeric(value):
        return f"+ ({arith.text(value)})"
    return f"{'+' if value >= 0 else '-'} {arith.number(abs(value))}"


def _rule_text(counted: Counted, rule: Rule | None) -> str:
    if rule is None:
        return "its buffers, as non-trainable params" if counted.convention.unit == "params" else "not counted"
    return rule.text


def _differences(counted: Counted, indent: str = "  ") -> list[str]:
    """One line per kind the tool counts otherwise, its difference first (aligned), then the rule."""
    found = counted.differences
    signed = [_signed(gap) for _, _, gap in found]
    width = max(map(len, signed), default=0)
    lines = []
    for (key, rule, _), text in zip(found, signed):
        wrong = f" (the tool is wrong here: {rule.wrong})" if rule is not None and rule.wrong else ""
        lines.append(f"{indent}{text:>{width}}  {key}: {_rule_text(counted, rule)}{wrong}")
    return lines


def _own(counted: Counted) -> str:
    c = counted.convention
    return "params" if c.unit == "params" else ("FLOPs = 2 x MACs" if c.base == 2 else "MACs")


def tool(counted: Counted, name: str) -> str:
    """One tool's figure for the network: each row it counts, the total, and what differs from symcnn's."""
    c = counted.convention
    head = [f"{name} as {c.title} counts it ({c.unit}; {c.source})"]
    if c.note:
        head.append(f"note: {c.note}")
    rows = [["#", "layer", c.name, f"symcnn {_own(counted)}"]]
    for row, count, mine in counted.rows:
        if count != 0 or mine != 0:
            rows.append([str(row.index), row.name, arith.number(count), arith.number(mine)])
    own = counted.own_total
    lines = head + [""] + align(rows, {0, 2, 3}) + ["", f"total: {figure(counted)} {c.unit} "
                                                       f"(symcnn {_own(counted)}: {arith.number(own)})"]
    if c.decimals is not None:
        lines.append(f"  exact: {arith.number(counted.total)}, printed to {c.decimals} decimals of 10^9")
    if c.unit == "params":
        lines.append(f"  Trainable params: {arith.number(own)}; Non-trainable params: "
                     f"{arith.number(counted.total - own)}")
    return "\n".join(lines + _differences(counted))


def every(counteds: list[Counted], name: str, macs: Any) -> str:
    """``--as all``: one row per tool, then what makes each differ from symcnn's figure."""
    rows = [["--as", "tool", "figure", "unit", "vs symcnn"], ["", "symcnn", arith.number(macs), "MACs", "0"]]
    for counted in counteds:
        rows.append([counted.convention.name, counted.convention.title, figure(counted), counted.convention.unit,
                     _signed(counted.total - counted.own_total).replace(" ", "")])
    lines = [f"{name}: each tool's figure, and where it differs from symcnn's (MACs of conv, deconv and fc; "
             "FLOPs = 2 x MACs)", ""] + align(rows, {2, 4})
    for counted in counteds:
        parts = _differences(counted, "    ")
        if parts:
            lines += ["", f"{counted.convention.name}: {counted.convention.source}"] + parts
    return "\n".join(lines)


def explained(number: str, found: list[Match], closest: Match, name: str) -> str:
    """``--explain``: the conventions that give the number, or the closest one and how far it is."""
    if found:
        return "\n".join([f"{number} is what these give for {name}:"] +
                         [f"  {m.label}: {arith.number(m.figure)}" for m in found])
    share = f" ({float(closest.gap / Fraction(closest.figure)):.2%})" if closest.figure else ""
    return (f"no convention symcnn knows gives {number} for {name}; the closest is {closest.label}: "
            f"{arith.number(closest.figure)}, {arith.number(closest.gap)}{share} away")


def as_json(counted: Counted) -> dict[str, Any]:
    """One tool's figure as JSON values (numbers where they are numbers, formulas as text)."""
    def value(v: Any) -> Any:
        return v if isinstance(v, int) else arith.text(v)

    c = counted.convention
    return {"tool": c.name, "title": c.title, "unit": c.unit, "source": c.source, "total": value(counted.total),
            "rows": [{"index": row.index, "layer": row.name, "count": value(count)} for row, count, _ in counted.rows],
            "differences": [{"kind": key, "rule": _rule_text(counted, rule), "difference": value(gap)}
                            for key, rule, gap in counted.differences]}
