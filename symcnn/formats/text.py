"""The terminal table: one row per layer in the spirit of the CS231n VGG breakdown."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from ..arith import number
from ..constants import DTYPE_BYTES, conventions
from ..walk import Row
from .outline import Line, outline
from .report import Report
from .style import Style
from .table import align

HEADERS = ("#", "layer", "output", "activations", "weights", "biases", "params", "MACs")


def _weights(row: Row, show: Callable[[Any], str] = number) -> str:
    """``(3*3*3)*64 = 1,728``: the weights' formula and their number (written by ``show``), or the number alone."""
    if row.weight_formula and row.weight_formula != number(row.weights) and row.weights != 0:
        return f"{row.weight_formula} = {show(row.weights)}"
    return show(row.weights)


COUNT_UNITS = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))
BYTE_UNITS = ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))


def human(value: object, units: tuple[tuple[int, str], ...] = COUNT_UNITS) -> str:
    """A number rounded to two decimals in k, M, G, T (or KiB, MiB, GiB for bytes); a formula as it is.

    >>> human(138_357_544), human(61_050_784, BYTE_UNITS), human(512)
    ('138.36 M', '58.22 MiB', '512')
    """
    if type(value) is not int:
        return number(value)  # type: ignore[arg-type]
    for size, unit in units:
        if abs(value) >= size:
            return f"{value / size:.2f} {unit}"
    return str(value)


def _share(part: object, total: object) -> str:
    """``part`` as a percentage of ``total``, to one decimal; blank where either is a formula or the total is 0."""
    if type(part) is not int or type(total) is not int or total == 0:
        return ""
    return f"{100 * part / total:.1f}"


def _human_totals(totals: dict[str, object], size: int, width: int) -> list[str]:
    """The totals lines with --units: the rounded figure first, the exact one in parentheses."""
    def both(value: object, units: tuple[tuple[int, str], ...] = COUNT_UNITS, what: str = "") -> str:
        exact = number(value) + what  # type: ignore[arg-type]
        rounded = human(value, units)
        return exact if rounded == number(value) else f"{rounded} ({exact})"  # type: ignore[arg-type]

    shown = [("params", f"{both(totals['params'])}: {number(totals['weights'])} weights + "  # type: ignore[arg-type]
                        f"{number(totals['biases'])} biases"),  # type: ignore[arg-type]
             ("buffers", both(totals["buffers"])),
             ("MACs", f"{both(totals['macs'])}, FLOPs {both(totals['flops'])}"),
             ("activations", f"{both(totals['activations'], what=' elements')} = "
                             f"{both(totals['activation_bytes'], BYTE_UNITS, ' bytes')}"),
             ("param bytes", f"{both(totals['param_bytes'], BYTE_UNITS, ' bytes')} (params x {size})")]
    return [f"  {label.ljust(width)}  {text}" for label, text in shown]


def _cells(line: Line, style: Style, report: Report) -> list[str]:
    row, show = line.row, human if report.units else number
    totals = report.analysis.totals
    share = [_share(line.value("params") * (1 if line.folded else row.count), totals["params"]),
             _share(line.value("macs") * (1 if line.folded else row.count), totals["macs"])] if report.percent else []
    if line.folded:
        first = line.folded[0].index
        name = f"{line.prefix}{line.block}(…): {len(line.folded)} rows"
        return [f"{first}-{row.index}", name, style.shape(row.output),
                *(show(line.value(key)) for key in ("activations", "weights", "biases", "params", "macs")), *share]
    name = line.prefix + row.name + ("" if row.count == 1 else f"  (x{row.count})")
    return [str(row.index), name, style.shape(row.output), show(row.activations), _weights(row, show), show(row.biases),
            show(row.params), show(row.macs), *share]


class TextFormatter:
    """The table, the totals, the memory section when asked for, and the conventions.

    >>> import symcnn
    >>> print(symcnn.parse("input 8x8x3\\nconv3-4").analyze().to_text().splitlines()[3])
    1  conv3-4  8x8x4           256  (3*3*3)*4 = 108       4     112  6,912
    """

    name = "text"

    def render(self, report: Report) -> str:
        analysis, style = report.analysis, Style()
        header = list(HEADERS) + (["% params", "% MACs"] if report.percent else [])
        rows = [header] + [_cells(line, style, report) for line in outline(analysis, report.depth, report.compact)]
        fitted = _fit(rows, report.width) if report.width else rows
        out = align(fitted, {0, *range(3, len(header))})
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
        if report.units:
            lines = _human_totals(totals, size, width)
        else:
            lines = [f"  {label.ljust(width)}  {number(value)} {note}".rstrip() for label, value, note in labels]
        out += [_cut(line, report.width) for line in lines] if report.width else lines
        if report.units:
            out.append("  (--units: counts in k, M, G, T = 10^3, 10^6, 10^9, 10^12 and bytes in KiB, MiB, GiB = 2^10, "
                       "2^20, 2^30, rounded to two decimals; the exact figures in parentheses)")
        if report.percent:
            out.append("  (% params, % MACs: each row's share of the totals, its repeat count included)")
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
    while excess > 0:  # one character at a time off the formula column with the most room above its floor
        i = max(FORMULA_COLUMNS, key=lambda j: widths[j] - floors[j])
        if widths[i] <= floors[i]:
            break
        widths[i] -= 1
        excess -= 1
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
