"""An HTML table for Jupyter: the rows of the paper table, the totals and the conventions."""

from __future__ import annotations

from html import escape

from sympy import Expr

from ..analysis import DTYPE_BYTES, Analysis
from ..conventions import lines as conventions
from .grouped import Line, lines, notes

HEADER = ("layer", "output", "weights", "biases", "params", "MACs", "activations")
KEYS = ("weights", "biases", "params", "macs", "activations")
RIGHT = ' style="text-align:right"'


def _value(expr: Expr) -> str:
    return f"{int(expr):,}" if expr.is_Integer else f"<code>{escape(str(expr))}</code>"


def _shape(dims: tuple[Expr, Expr, Expr]) -> str:
    return escape("×".join(f"({d})" if d.is_Add or d.is_Mul else str(d) for d in dims))


def _layer(line: Line) -> str:
    indent = "&emsp;" * line.level
    times = "" if line.times == 1 else f" ×{_value(line.times)}"
    return f"{indent}<code>{escape(line.row.name)}</code>{' (shortcut)' if line.shortcut else ''}{times}"


def render(analysis: Analysis, expand: bool = False) -> str:
    """The table as HTML (what a notebook shows for an Analysis).

    >>> import symcnn
    >>> html = symcnn.parse("input 8x8x3\\nconv3-4").analyze()._repr_html_()
    >>> "<td><code>conv3-4</code></td>" in html and "<b>112</b>" in html
    True
    """
    head = "".join(f"<th{'' if i < 2 else RIGHT}>{escape(h)}</th>" for i, h in enumerate(HEADER))
    shown = lines(analysis, expand)
    body = []
    for line in shown:
        cells = [f"<td>{_layer(line)}</td>", f"<td>{_shape(line.row.output)}</td>"]
        cells += [f"<td{RIGHT}>{_value(getattr(line.row, key))}</td>" for key in KEYS]
        body.append("<tr>" + "".join(cells) + "</tr>")
    t = analysis.totals
    total = "<tr><td><b>total</b></td><td></td>" + "".join(
        f"<td{RIGHT}><b>{_value(t[key])}</b></td>" for key in KEYS) + "</tr>"
    size = DTYPE_BYTES[analysis.dtype]
    items = "".join(f"<li>{escape(text)}</li>" for text in conventions(analysis.dtype, size))
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody><tfoot>{total}</tfoot></table>"
            f"<p>{' '.join(notes(analysis, shown, _value, escape))}</p><ul>{items}</ul>")
