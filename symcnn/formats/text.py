"""The terminal table: one row per layer in the spirit of the CS231n VGG breakdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis import DTYPE_BYTES, Analysis, Row
from ..conventions import lines
from . import number, shape

if TYPE_CHECKING:
    from ..memory import Memory

HEADERS = ("#", "layer", "output", "activations", "weights", "biases", "params", "MACs")


def _weights(row: Row) -> str:
    value = number(row.weights)
    if row.weight_formula and row.weight_formula != value and row.weights != 0:
        return f"{row.weight_formula} = {value}"
    return value


def _cells(row: Row) -> list[str]:
    name = "  " * row.depth + row.name + ("" if row.count == 1 else f"  (x{row.count})")
    return [str(row.index), name, shape(row.output), number(row.activations), _weights(row), number(row.biases),
            number(row.params), number(row.macs)]


def render(analysis: Analysis, memory: Memory | None = None) -> str:
    """The table, the totals, the memory section when ``memory`` is given, and the conventions.

    >>> import symcnn
    >>> print(symcnn.parse("input 8x8x3\\nconv3-4").analyze().to_text().splitlines()[3])
    1  conv3-4  8x8x4           256  (3*3*3)*4 = 108       4     112  6,912
    """
    table = [list(HEADERS)] + [_cells(row) for row in analysis.rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    right = {0, 3, 4, 5, 6, 7}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(table[0]), line(["-" * w for w in widths])] + [line(r) for r in table[1:]]
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
    if analysis.divisible:
        out.append(f"  assuming the input height and width are multiples of {analysis.divisible}")
    if memory is not None:
        out += _memory(memory)
    out += ["", "conventions"] + [f"  {text}" for text in lines(analysis.dtype, size)]
    return "\n".join(out)


def _memory(m: Memory) -> list[str]:
    """Per row, the activation bytes alive while it runs and the bytes it saves for backward; then the totals.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> print("\\n".join(_memory(memory(symcnn.parse("input 8x8x3\\nconv3-4").analyze(), "sgd"))[2:5]))
      #  layer    live bytes  saved bytes
      0  input           768            0
      1  conv3-4       1,792          768
    """
    saved = m.saved_by_row()
    table = [["#", "layer", "live bytes", "saved bytes"]] + [
        [str(row.index), "  " * row.depth + row.name, number(m.live[row.index]), number(saved[row.index])]
        for row in m.analysis.rows]
    widths = [max(len(cells[i]) for cells in table) for i in range(4)]
    out = ["", f"memory ({m.describe()})"]
    out += ["  " + "  ".join(c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
            .rstrip() for cells in table]
    totals = m.totals()
    width = max(len(label) for _, label in m.parts())
    return out + [""] + [f"  {label.ljust(width)}  {number(totals[key])} bytes" for key, label in m.parts()]
