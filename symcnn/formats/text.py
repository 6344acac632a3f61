"""The terminal table: one row per layer in the spirit of the CS231n VGG breakdown."""

from __future__ import annotations

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
        out = align([list(HEADERS)] + [_cells(row, style) for row in analysis.rows], {0, 3, 4, 5, 6, 7})
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
        out += [f"  {label.ljust(width)}  {number(value)} {note}".rstrip() for label, value, note in labels]
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
        return "\n".join(out)


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
