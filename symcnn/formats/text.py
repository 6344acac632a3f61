"""The terminal table: one row per layer in the spirit of the CS231n VGG breakdown."""

from __future__ import annotations

import textwrap

from ..arith import number
from ..constants import DTYPE_BYTES, conventions
from ..walk import Row
from .report import Report
from .style import Style
from .table import align

HEADERS = ("#", "layer", "output", "activations", "weights", "biases", "params", "MACs")


def _weights(row: Row) -> str:
    value = number(row.weights)
    if row.weight_formula and row.weight_formula != value and row.weights != 0:
        return f"{row.weight_formula} = {value}"
    return value


def _cells(row: Row, style: Style) -> list[str]:
    name = "  " * row.depth + row.name + ("" if row.count == 1 else f"  (x{row.count})")
    return [str(row.index), name, style.shape(row.output), number(row.activations), _weights(row), number(row.biases),
            number(row.params), number(row.macs)]


class TextFormatter:
    """The table, the totals, the memory section when asked for, and the conventions.

    >>> import symcnn
    >>> print(symcnn.parse("input 8x8x3\\nconv3-4").analyze().to_text().splitlines()[3])
    1  conv3-4  8x8x4           256  (3*3*3)*4 = 108       4     112  6,912
    """

    name = "text"

    def render(self, report: Report) -> str:
        analysis, style = report.analysis, Style()
        rows = [list(HEADERS)] + [_cells(row, style) for row in analysis.rows]
        fitted = _fit(rows, report.width) if report.width else rows
        out = align(fitted, {0, 3, 4, 5, 6, 7})
        totals = analysis.totals
        size = DTYPE_BYTES[analysis.dtype]
        out += ["", "totals"]
        labels = [
            ("params", totals["params"], f"({number(totals['weights'])} weights + {number(totals['biases'])} biases)"),
            ("buffers", totals["buffers"], ""),
            ("MACs", totals["macs"], f"(FLOPs {number(totals['flops'])})"),
            ("activations", totals["activations"], f"elements = {number(totals['activation_bytes'])} bytes"),
            ("param bytes", totals["param_bytes"], f"(params x {size})"),
        ]
        width = max(len(label) for label, _, _ in labels)
        lines = [f"  {label.ljust(width)}  {number(value)} {note}".rstrip() for label, value, note in labels]
        out += [_cut(line, report.width) for line in lines] if report.width else lines
        if fitted is not rows or any(len(line) > (report.width or len(line)) for line in lines):
            out.append(f"  (formulas cut to the terminal's {report.width} columns, at …: --formula and --json "
                       "show them in full)")
        side = analysis.side_totals
        if side is not None:
            out += ["", "side outputs (auxiliary heads: not on the main path, not in the totals above)",
                    f"  params  {number(side['params'])}", f"  MACs    {number(side['macs'])}"]
        if analysis.divisible:
            out.append(f"  assuming the input height and width are multiples of {analysis.divisible}")
        if analysis.warnings:
            out += ["", "warnings"] + [f"  {text}" for text in analysis.warnings]
        if report.memory is not None:
            out += memory_lines(report)
        out += ["", "conventions"] + [f"  {text}" for text in conventions(analysis.dtype)]
        if report.width:  # prose wrapped to the terminal too (the table's numbers are never wrapped)
            out = [part for line in out for part in (textwrap.wrap(line, report.width, subsequent_indent="    ")
                                                     if len(line) > report.width and line.startswith("  ") and
                                                     not line.startswith("   ") else [line])]
        return "\n".join(out)


FORMULA_COLUMNS = (2, 3, 4, 6, 7)
"""The columns whose cells may be formulas: output, activations, weights, params, MACs."""
NARROWEST = 12


def _formula(cell: str) -> bool:
    """A cell with a name in it (a number is never cut)."""
    return any(c.isalpha() for c in cell.replace("x", ""))


def _fit(rows: list[list[str]], width: int) -> list[list[str]]:
    """The rows with their formula cells cut (…) so that the table fits ``width`` columns; numbers stay whole."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    floors = [max([len(row[i]) for row in rows if not _formula(row[i])] + [NARROWEST]) for i in range(len(widths))]
    excess = sum(widths) + 2 * (len(widths) - 1) - width
    while excess > 0:
        i = max(FORMULA_COLUMNS, key=lambda j: widths[j] - floors[j])
        room = widths[i] - floors[i]
        if room <= 0:
            break
        cut = min(room, excess, max(1, widths[i] - max(widths[j] for j in FORMULA_COLUMNS if j != i)) if
                  widths[i] > max(widths[j] for j in FORMULA_COLUMNS if j != i) else room)
        widths[i] -= cut
        excess -= cut
    if all(len(row[i]) <= widths[i] for row in rows for i in FORMULA_COLUMNS):
        return rows
    return [[cell if len(cell) <= widths[i] else cell[:widths[i] - 1] + "…" for i, cell in enumerate(row)]
            for row in rows]


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width or not _formula(line.split("  ")[-1]) else line[:width - 1] + "…"


def memory_lines(report: Report) -> list[str]:
    """Per row, the activation bytes alive while it runs and the bytes it saves for backward; then the totals.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> a = symcnn.parse("input 8x8x3\\nconv3-4").analyze()
    >>> print("\\n".join(memory_lines(Report(a, memory(a, "sgd")))[2:5]))
      #  layer    live bytes  saved bytes
      0  input           768            0
      1  conv3-4       1,792          768
    """
    m = report.memory
    assert m is not None
    saved = m.saved_by_row()
    table = [["#", "layer", "live bytes", "saved bytes"]] + [
        [str(row.index), "  " * row.depth + row.name, number(m.live[row.index]), number(saved[row.index])]
        for row in m.analysis.rows]
    out = ["", f"memory ({m.describe()})"] + align(table, {0, 2, 3}, rule=False, indent="  ")
    totals = m.totals()
    width = max(len(label) for _, label in m.parts())
    return out + [""] + [f"  {label.ljust(width)}  {number(totals[key])} bytes" for key, label in m.parts()]
