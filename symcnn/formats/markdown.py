"""A GitHub-flavoured Markdown table with the totals and the conventions."""

from __future__ import annotations

from ..analysis import DTYPE_BYTES, Analysis
from ..conventions import lines
from . import number, shape


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")


def render(analysis: Analysis) -> str:
    """The per-layer table as Markdown.

    >>> import symcnn
    >>> print(symcnn.parse("input 8x8x3\\nconv3-4").analyze().to_markdown().splitlines()[3])
    | 1 | conv3-4 | 8x8x4 | 256 | 108 | 4 | 112 | 6,912 |
    """
    out = ["| # | layer | output | activations | weights | biases | params | MACs |",
           "|--:|:--|:--|--:|--:|--:|--:|--:|"]
    for row in analysis.rows:
        name = "&nbsp;&nbsp;" * row.depth + row.name + ("" if row.count == 1 else f" (x{row.count})")
        cells = [str(row.index), name, shape(row.output), number(row.activations), number(row.weights),
                 number(row.biases), number(row.params), number(row.macs)]
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    t = analysis.totals
    out.append("| | **total** | | " + " | ".join(f"**{_cell(number(t[k]))}**" for k in
                                             ("activations", "weights", "biases", "params", "macs")) + " |")
    size = DTYPE_BYTES[analysis.dtype]
    out += ["", f"Buffers: {_cell(number(t['buffers']))}. FLOPs: {_cell(number(t['flops']))}. "
                f"Activation bytes: {_cell(number(t['activation_bytes']))}. "
                f"Parameter bytes: {_cell(number(t['param_bytes']))}."]
    if analysis.divisible:
        out.append(f"Assuming the input height and width are multiples of {analysis.divisible}.")
    out += [""] + [f"- {_cell(text)}" for text in lines(analysis.dtype, size)]
    return "\n".join(out)
