"""The lines of a paper table: repeated blocks collapsed, in-place layers left out.

The LaTeX, Markdown and HTML tables show the same lines. A ``repeat`` block whose
consecutive unrolled instances are identical (same layers, shapes and costs) is
shown once, each of its lines marked ×n; ``expand=True`` shows every instance.
Activation functions, dropout, flatten and id cost nothing and get no line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis import Analysis
from ..layers import Layer, Shape
from ..walk import Block, BlockKind, Row


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
    times: Any
    layer: Layer | None = None
    input: Shape | None = None
    level: int = 0
    shortcut: bool = False


BRANCHING = (BlockKind.RES, BlockKind.CONCAT, BlockKind.MUL, BlockKind.SPLIT, BlockKind.SIDE)


def lines(analysis: Analysis, expand: bool = False) -> list[Line]:
    """The table lines of an analysis, in execution order.

    >>> import symcnn
    >>> a = symcnn.parse("input 8x8x3\\n(conv3-4, relu) x3").analyze()
    >>> [(line.row.name, line.times) for line in lines(a)]
    [('input', 1), ('conv3-4', 1), ('conv3-4', 2)]
    >>> len(lines(a, expand=True))
    4
    """
    out = [Line(analysis.rows[0], 1)]
    out += _walk(analysis, analysis.tree, 1, 0, False, expand)
    return [line for line in out if line.layer is None or not line.layer.in_place]


def _walk(analysis: Analysis, block: Block, times: Any, level: int, shortcut: bool, expand: bool) -> list[Line]:
    rows = analysis.rows
    if block.kind is BlockKind.LAYER:
        assert block.row is not None
        row = rows[block.row]
        return [Line(row, times * row.count, block.layer, block.input, level, shortcut)]
    out: list[Line] = []
    if block.kind is BlockKind.REPEAT and not expand:
        start = 0
        while start < len(block.parts):
            signature = _signature(analysis, block.parts[start])
            end = start + 1
            while end < len(block.parts) and _signature(analysis, block.parts[end]) == signature:
                end += 1
            out += _walk(analysis, block.parts[start], times * (end - start), level, shortcut, expand)
            start = end
        return out
    inner = level + (block.kind in BRANCHING)
    for i, part in enumerate(block.parts):
        out += _walk(analysis, part, times, inner, shortcut or (block.kind is BlockKind.RES and i == 1), expand)
    if block.row is not None:
        row = rows[block.row]
        out.append(Line(row, times * row.count, level=level, shortcut=shortcut))
    return out


def _signature(analysis: Analysis, block: Block) -> tuple[tuple[object, ...], ...]:
    """What makes two instances identical: the name, shape and costs of every row they show.

    In-place layers get no line, so they do not tell instances apart (ConvNeXt's blocks differ only
    in their stochastic depth probability, ``droppath[p=…]``).
    """
    indexes = [b.row for b in block.blocks() if b.row is not None and (b.layer is None or not b.layer.in_place)]
    return tuple(
        (r.name, r.output, r.weights, r.biases, r.buffers, r.macs, r.activations, r.count)
        for r in (analysis.rows[i] for i in sorted(indexes))
    )
