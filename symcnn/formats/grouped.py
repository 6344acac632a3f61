"""The rows of a paper table: repeated blocks collapsed, in-place layers left out.

The LaTeX, Markdown and HTML tables show the same lines. A ``repeat`` block whose
consecutive unrolled instances are identical (same layers, shapes and costs) is
shown once, each of its lines marked ×n; ``expand=True`` shows every instance.
Activation functions, dropout, flatten and id cost nothing and get no line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sympy import Expr

from ..analysis import Analysis, Block, Row
from ..layers import ELEMENTWISE, ONE, Layer, Shape


@dataclass(frozen=True)
class Line:
    """One table line: a row, how many times it counts, and the layer it came from.

    ``times`` already includes the row's own symbolic count (a repeat ``x{n}``);
    the line's costs are for one instance, the totals add ``times`` × each cost.
    ``layer`` and ``input`` are set for layer rows (not for the input or a join);
    ``level`` is how deep in residual, concat and mul branches the row is (macros
    do not count); ``shortcut`` marks a row of a residual block's shortcut branch.
    """

    row: Row
    times: Expr
    layer: Layer | None = None
    input: Shape | None = None
    level: int = 0
    shortcut: bool = False


def lines(analysis: Analysis, expand: bool = False) -> list[Line]:
    """The table lines of an analysis, in execution order.

    >>> import symcnn
    >>> a = symcnn.parse("input 8x8x3\\n(conv3-4, relu) x3").analyze()
    >>> [(line.row.name, line.times) for line in lines(a)]
    [('input', 1), ('conv3-4', 1), ('conv3-4', 2)]
    >>> len(lines(a, expand=True))
    4
    """
    out = [Line(analysis.rows[0], ONE)]
    out += _walk(analysis, analysis.tree, ONE, 0, False, expand)
    return [line for line in out if line.row.kind not in ELEMENTWISE]


def omitted(analysis: Analysis) -> list[str]:
    """The kinds of in-place layers the table leaves out, in order of first use.

    >>> import symcnn
    >>> omitted(symcnn.load("vgg16").analyze())
    ['relu', 'dropout']
    """
    kinds = [row.kind for row in analysis.rows if row.kind in ELEMENTWISE]
    return list(dict.fromkeys(kinds))


def _walk(analysis: Analysis, block: Block, times: Expr, level: int, shortcut: bool, expand: bool) -> list[Line]:
    rows = analysis.rows
    if block.kind == "layer":
        assert block.row is not None
        row = rows[block.row]
        return [Line(row, times * row.count, block.layer, block.input, level, shortcut)]
    out: list[Line] = []
    if block.kind == "repeat" and not expand:
        start = 0
        while start < len(block.parts):
            signature = _signature(analysis, block.parts[start])
            end = start + 1
            while end < len(block.parts) and _signature(analysis, block.parts[end]) == signature:
                end += 1
            out += _walk(analysis, block.parts[start], times * (end - start), level, shortcut, expand)
            start = end
        return out
    inner = level + (block.kind in ("res", "concat", "mul"))
    for i, part in enumerate(block.parts):
        out += _walk(analysis, part, times, inner, shortcut or (block.kind == "res" and i == 1), expand)
    if block.row is not None:
        row = rows[block.row]
        out.append(Line(row, times * row.count, level=level, shortcut=shortcut))
    return out


def _signature(analysis: Analysis, block: Block) -> tuple[tuple[object, ...], ...]:
    """What makes two instances identical: the name, shape and costs of every row they produce."""
    indexes = [b.row for b in block.blocks() if b.row is not None]
    return tuple(
        (r.name, r.output, r.weights, r.biases, r.buffers, r.macs, r.activations, r.count)
        for r in (analysis.rows[i] for i in sorted(indexes))
    )


def notes(analysis: Analysis, shown: list[Line], value: Callable[[Expr], str], code: Callable[[str], str]) -> list[str]:
    """The sentences under a Markdown or HTML table, with the format's own way to write values and layer names.

    >>> import symcnn
    >>> a = symcnn.parse("input 8x8x3\\n(conv3-4, relu) x3").analyze()
    >>> notes(a, lines(a), str, str)[1:]
    ['×n: a block repeated n times; the row shows one instance, the totals count all n.', 'Not listed: relu (in place, no cost).']
    """
    t = analysis.totals
    found = [f"FLOPs = 2 × MACs = {value(t['flops'])}. "
             f"Buffers (BatchNorm running statistics): {value(t['buffers'])}. "
             f"Memory at {analysis.dtype}: parameters {value(t['param_bytes'])} bytes, "
             f"activations {value(t['activation_bytes'])} bytes."]
    if any(line.times != 1 for line in shown):
        found.append("×n: a block repeated n times; the row shows one instance, the totals count all n.")
    skipped = omitted(analysis)
    if skipped:
        found.append(f"Not listed: {', '.join(code(kind) for kind in skipped)} (in place, no cost).")
    if analysis.divisible:
        found.append(f"The input height and width are taken to be multiples of {analysis.divisible}.")
    return found
