"""The rows of the terminal table with the network's structure drawn: branches marked, nested blocks folded.

Each branch of ``res``, ``concat``, ``mul`` and ``split`` is drawn as ``├`` on its first row and
``│`` on the others (a ``side`` output as ``⤷`` and ``┊``: it has no join), one column per level of
nesting; the join (add, concat, mul,
split) comes after its branches at the level of the block; definition calls and repeats add no
level. ``depth=N`` folds every branching block nested N deep into one line with its summed
costs (so the column still adds up to the totals); ``compact`` leaves out the in-place rows
(activations, dropout, flatten), which cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis import Analysis
from ..tree import Block, BlockKind, Row

BRANCHING = (BlockKind.RES, BlockKind.CONCAT, BlockKind.MUL, BlockKind.SPLIT, BlockKind.SIDE)
SUMMED = ("weights", "biases", "buffers", "macs", "activations")


@dataclass(frozen=True)
class Line:
    """A row as the table shows it: its prefix, and for a folded block the rows it stands for and its kind."""

    row: Row
    prefix: str
    folded: tuple[Row, ...] = ()
    block: str = ""

    def value(self, key: str) -> Any:
        """A cost of the line: the row's, or the sum over a folded block (each row times its count)."""
        if not self.folded:
            return getattr(self.row, key)
        if key == "params":
            return self.value("weights") + self.value("biases")
        return sum((r.count * getattr(r, key) for r in self.folded), 0)


def outline(analysis: Analysis, depth: int | None = None, compact: bool = False) -> list[Line]:
    """The table's lines in execution order.

    >>> import symcnn
    >>> a = symcnn.parse("input 8x8x4\\nres(conv1-4, relu | conv1-4)").analyze()
    >>> [line.prefix + line.row.name for line in outline(a)]
    ['input', '├ conv1-4', '│ relu', '├ conv1-4', 'add']
    >>> [line.prefix + line.row.name for line in outline(a, depth=0)]
    ['input', 'add']
    """
    rows = analysis.rows
    lines = [Line(rows[0], "")] + _Outline(rows, depth).walk(analysis.tree, "", "", 0)
    if compact:
        lines = [line for line in lines if line.folded or line.row.layer is None or not line.row.layer.in_place
                 or line.row.kind == "id"]
    return lines


class _Outline:
    def __init__(self, rows: list[Row], depth: int | None) -> None:
        self.rows, self.depth = rows, depth

    def walk(self, block: Block, lead: str, rest: str, level: int) -> list[Line]:
        if block.kind is BlockKind.LAYER:
            assert block.row is not None
            return [Line(self.rows[block.row], lead)]
        if block.kind in BRANCHING:
            if self.depth is not None and level >= self.depth:
                return [self.fold(block, lead)]
            out: list[Line] = []
            first, more = ("⤷ ", "┊ ") if block.kind is BlockKind.SIDE else ("├ ", "│ ")
            for part in block.parts:
                out += self.walk(part, (lead if not out else rest) + first, rest + more, level + 1)
            if block.row is not None:
                out.append(Line(self.rows[block.row], lead if not out else rest))
            return out
        out = []
        for part in block.parts:
            out += self.walk(part, lead if not out else rest, rest, level)
        return out

    def fold(self, block: Block, prefix: str) -> Line:
        inside = sorted(b.row for b in block.blocks() if b.row is not None)
        last = self.rows[block.row] if block.row is not None else self.rows[inside[-1]]
        return Line(last, prefix, tuple(self.rows[i] for i in inside), str(block.kind))
