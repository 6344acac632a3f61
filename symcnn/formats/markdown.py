"""A GitHub-flavoured Markdown table for a README: the rows of the paper table, the totals, the conventions."""

from __future__ import annotations

from ..constants import conventions
from .grouped import Line, lines
from .report import Report
from .style import Markdown, notes

HEADER = ("layer", "output", "weights", "biases", "params", "MACs", "activations")
KEYS = ("weights", "biases", "params", "macs", "activations")


def _layer(line: Line, style: Markdown) -> str:
    indent = "&nbsp;&nbsp;" * line.level
    return indent + style.code(line.row.name) + (" (shortcut)" if line.shortcut else "") + style.times_label(line.times)


class MarkdownFormatter:
    """The table (repeated blocks collapsed unless ``expand``), the totals, the conventions, the memory.

    >>> import symcnn
    >>> print(symcnn.parse("input 8x8x3\\n(conv3-4, relu) x3").analyze().to_markdown().splitlines()[6])
    | `conv3-4` ×2 | 8×8×4 | 144 | 4 | 148 | 9,216 | 256 |
    """

    name = "markdown"

    def render(self, report: Report) -> str:
        analysis, style = report.analysis, Markdown()
        shown = lines(analysis, report.expand)
        out = [f"Per-layer cost at {style.where(analysis)}:", "",
               "| " + " | ".join(HEADER) + " |", "|:--|:--|" + "--:|" * len(KEYS)]
        for line in shown:
            cells = [_layer(line, style), style.shape(line.row.output)]
            cells += [style.number(getattr(line.row, key)) for key in KEYS]
            out.append("| " + " | ".join(cells) + " |")
        t = analysis.totals
        out.append("| **total** | | " + " | ".join(f"**{style.number(t[key])}**" for key in KEYS) + " |")
        out += ["", " ".join(notes(analysis, shown, style)), ""]
        out += [f"- {style.escape(text)}" for text in conventions(analysis.dtype)]
        if report.memory is not None:
            out += memory_table(report, style)
        return "\n".join(out)


def memory_table(report: Report, style: Markdown) -> list[str]:
    """The memory figures as a two-column table.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> a = symcnn.parse("input 8x8x3\\nconv3-4").analyze()
    >>> print("\\n".join(memory_table(Report(a, memory(a, "sgd")), Markdown())[5:7]))
    | **inference peak** | **2,240** |
    | &nbsp;&nbsp;parameters | 448 |
    """
    m = report.memory
    assert m is not None
    totals = m.totals()
    rows = [f"| **{label}** | **{style.number(totals[key])}** |" if not label.startswith(" ") else
            f"| &nbsp;&nbsp;{style.escape(label.strip())} | {style.number(totals[key])} |" for key, label in m.parts()]
    return ["", f"Memory in bytes ({style.escape(m.describe())}):", "", "| | bytes |", "|:--|--:|"] + rows
