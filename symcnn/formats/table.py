"""The one builder of aligned text tables (the terminal table, the memory rows, compare, sweep)."""

from __future__ import annotations

from collections.abc import Sequence


def align(rows: Sequence[Sequence[str]], right: set[int] | frozenset[int], rule: bool = True,
          indent: str = "") -> list[str]:
    """Rows (the first is the header) padded to common column widths, a dashed rule under the header.

    >>> print("\\n".join(align([["a", "n"], ["xx", "1"], ["y", "22"]], {1})))
    a    n
    --  --
    xx   1
    y   22
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(cells: Sequence[str]) -> str:
        return indent + "  ".join(c.rjust(w) if i in right else c.ljust(w)
                                  for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(rows[0])]
    if rule:
        out.append(line(["-" * w for w in widths]))
    return out + [line(row) for row in rows[1:]]
