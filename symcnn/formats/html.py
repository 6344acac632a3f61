"""An HTML table for Jupyter: the rows of the paper table, the totals and the conventions."""

from __future__ import annotations

from ..constants import conventions
from .grouped import Line, lines
from .report import Report
from .style import Html, notes

HEADER = ("layer", "output", "weights", "biases", "params", "MACs", "activations")
KEYS = ("weights", "biases", "params", "macs", "activations")
RIGHT = ' style="text-align:right"'


def _layer(line: Line, style: Html) -> str:
    indent = "&emsp;" * line.level
    return f"{indent}{style.code(line.row.name)}{' (shortcut)' if line.shortcut else ''}{style.times_label(line.times)}"


class HtmlFormatter:
    """The table as HTML (what a notebook shows for an Analysis); everything the user wrote is escaped.

    >>> import symcnn
    >>> html = symcnn.parse("input 8x8x3\\nconv3-4").analyze()._repr_html_()
    >>> "<td><code>conv3-4</code></td>" in html and "<b>112</b>" in html
    True
    """

    name = "html"

    def render(self, report: Report) -> str:
        analysis, style = report.analysis, Html()
        head = "".join(f"<th{'' if i < 2 else RIGHT}>{style.escape(h)}</th>" for i, h in enumerate(HEADER))
        shown = lines(analysis, report.expand)
        body = []
        for line in shown:
            cells = [f"<td>{_layer(line, style)}</td>", f"<td>{style.shape(line.row.output)}</td>"]
            cells += [f"<td{RIGHT}>{style.number(getattr(line.row, key))}</td>" for key in KEYS]
            body.append("<tr>" + "".join(cells) + "</tr>")
        t = analysis.totals
        total = "<tr><td><b>total</b></td><td></td>" + "".join(
            f"<td{RIGHT}><b>{style.number(t[key])}</b></td>" for key in KEYS) + "</tr>"
        items = "".join(f"<li>{style.escape(text)}</li>" for text in conventions(analysis.dtype))
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody><tfoot>{total}</tfoot></table>"
                f"<p>{' '.join(notes(analysis, shown, style))}</p><ul>{items}</ul>")
