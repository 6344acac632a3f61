r"""LaTeX for papers: a ``booktabs`` table, the derivation, and a document that compiles.

The table has one row per layer (in-place layers left out, repeated identical
blocks collapsed to rows marked ×n unless ``expand``), and a totals row. The
document uses only packages of texlive-latex-base and texlive-latex-recommended,
and the fonts of the default OT1 encoding.
"""

from __future__ import annotations

import re
from typing import Any

from .. import arith
from ..analysis import Analysis
from ..errors import SymcnnError
from . import derivation
from .grouped import Line, lines
from .report import Report
from .style import Latex, notes
from .tex import Printer, text, width

COLUMNS = ("Layer", "Output", "Weights", "Biases", "Params", "MACs", "Activations")
KEYS = ("weights", "biases", "params", "macs", "activations")
FLOAT_ROWS = {"small": 45, "footnotesize": 60, "scriptsize": 75}
"""Most rows set at each size in a float (ResNet-152 collapses to 70); a longer table is a longtable."""
NOTE_SIZE = {"small": "footnotesize", "footnotesize": "scriptsize", "scriptsize": "scriptsize"}
NEEDS = (("booktabs", r"\toprule"), ("graphicx", r"\resizebox"), ("longtable", r"\begin{longtable}"),
         ("amsmath", r"\begin{align*}"), ("siunitx", r"\num{"))
"""The packages a fragment needs, each with what in the fragment uses it."""


def _label(line: Line, style: Latex) -> str:
    indent = rf"\hspace*{{{line.level}em}}" if line.level else ""
    return indent + text(line.row.name) + (" (shortcut)" if line.shortcut else "") + style.times_label(line.times)


TOTAL_WIDTH = 30
"""Most printed characters of a symbolic total in the totals row; a longer one goes under the table."""


def _fits(printer: Printer, value: Any) -> bool:
    return bool(arith.numeric(value) or width(printer.math(value)) <= TOTAL_WIDTH)


def _total(printer: Printer, value: Any) -> str:
    return printer.number(value) if _fits(printer, value) else "(below)"


def _caption(analysis: Analysis, style: Latex, name: str | None) -> str:
    of = f" of {text(name)}" if name else ""
    return f"Cost of each layer{of} at {style.where(analysis)}."


def _notes(analysis: Analysis, style: Latex, shown: list[Line]) -> list[str]:
    printer = style.printer
    t = analysis.totals
    found = []
    long = [(title, key) for title, key in zip(COLUMNS[2:], KEYS) if not _fits(printer, t[key])]
    if long:
        found.append("Totals: " + "; ".join(f"{title if key == 'macs' else title.lower()} ${printer.math(t[key])}$"
                                            for title, key in long) + ".")
    return found + notes(analysis, shown, style, with_conventions=True)


def _rows(analysis: Analysis, style: Latex, shown: list[Line]) -> list[str]:
    printer = style.printer
    body = []
    previous: Any = None
    for line in shown:
        if previous is not None and line.times != previous:
            body.append(r"\addlinespace[2pt]")
        previous = line.times
        cells = [_label(line, style), style.shape(line.row.output)]
        cells += [printer.number(getattr(line.row, key)) for key in KEYS]
        body.append(" & ".join(cells) + r" \\")
    t = analysis.totals
    body += [r"\midrule", "Total & & " + " & ".join(_total(printer, t[key]) for key in KEYS) + r" \\"]
    return body


def cost_table(analysis: Analysis, printer: Printer, expand: bool = False, name: str | None = None) -> str:
    r"""The ``booktabs`` table: a ``table`` float that fits a page, or a ``longtable`` when longer.

    >>> import symcnn
    >>> from symcnn.formats.tex import Printer
    >>> out = cost_table(symcnn.parse("input 8x8x3\n(conv3-64, relu) x3").analyze(), Printer())
    >>> print("\n".join(line for line in out.splitlines() if line.lstrip().startswith("conv")))
        conv3-64 & $8\times 8\times 64$ & 1{,}728 & 64 & 1{,}792 & 110{,}592 & 4{,}096 \\
        conv3-64\ $\times 2$ & $8\times 8\times 64$ & 36{,}864 & 64 & 36{,}928 & 2{,}359{,}296 & 4{,}096 \\
    """
    shown = lines(analysis, expand)
    style = Latex(printer)
    caption = _caption(analysis, style, name)
    label = "tab:" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") if name else "network") + "-cost"
    head = [r"\toprule", " & ".join(COLUMNS) + r" \\", r"\midrule"]
    rows = _rows(analysis, style, shown)
    found = _notes(analysis, style, shown)
    indent = "    "
    size = next((size for size, most in FLOAT_ROWS.items() if len(shown) <= most), None)
    if size is None:
        out = [r"\begingroup", r"\footnotesize", r"\setlength{\tabcolsep}{3pt}", r"\begin{longtable}{@{}llrrrrr@{}}",
               rf"\caption{{{caption}}}\label{{{label}}}\\"] + head + [r"\endhead"]
        out += [indent + row for row in rows] + [r"\bottomrule", r"\end{longtable}"]
        out += [r"\scriptsize\raggedright"] + [note + r"\par" for note in found] + [r"\endgroup"]
        return "\n".join(out)
    out = [r"\begin{table}[htbp]", r"  \centering", f"  \\{size}", r"  \setlength{\tabcolsep}{4pt}",
           f"  \\caption{{{caption}}}", f"  \\label{{{label}}}", r"  \smallskip",
           # The table is set in box 0 first: scaled down if wider than the text (long symbolic
           # sizes), and the notes below take its width.
           r"  \sbox0{\begin{tabular}{@{}llrrrrr@{}}"]
    out += [indent + row for row in head + rows] + [indent + r"\bottomrule", r"  \end{tabular}}%"]
    out += [r"  \ifdim\wd0>\linewidth\sbox0{\resizebox{\linewidth}{!}{\usebox0}}\fi", r"  \usebox0"]
    out += [r"  \par\medskip", r"  \parbox{\wd0}{", f"  \\{NOTE_SIZE[size]}\\raggedright"]
    out += [f"  {note}\\par" for note in found] + [r"  }", r"\end{table}"]
    return "\n".join(out)


def _source(analysis: Analysis) -> str:
    """The network's notation, every character printed as written (comments included)."""
    rows = [r"\mbox{}" + text(line, typewriter=True).replace(" ", r"\ ") + r"\\"
            for line in analysis.network.text.strip("\n").split("\n")]
    return "\n".join([r"\begin{flushleft}\ttfamily\small"] + rows + [r"\end{flushleft}"])


def document(body: str, analysis: Analysis, siunitx: bool, name: str | None) -> str:
    r"""A complete ``article`` around ``body``: pdflatex, packages of texlive-latex-base/-recommended only.

    siunitx is in texlive-science: with ``siunitx`` the document uses it when installed
    and otherwise prints ``\num{...}`` values ungrouped.

    >>> import symcnn
    >>> a = symcnn.parse("input 8x8x3\nconv3-4  # \\input{x}").analyze()
    >>> out = document("", a, siunitx=False, name=None)
    >>> out.splitlines()[0], r"{\char92}input{\char123}x{\char125}" in out
    ('\\documentclass{article}', True)
    """
    packages = [r"\usepackage[a4paper,margin=2cm]{geometry}", r"\usepackage{amsmath}", r"\usepackage{booktabs}",
                r"\usepackage{graphicx}"]
    if r"\begin{longtable}" in body:
        packages.append(r"\usepackage{longtable}")
    if siunitx:
        packages += [r"\IfFileExists{siunitx.sty}{\usepackage{siunitx}}{}", r"\providecommand{\num}[1]{#1}"]
    title = text(name) if name else "Network cost"
    return "\n".join([
        r"\documentclass{article}",
        *packages,
        r"\allowdisplaybreaks",
        r"\pagestyle{empty}",
        r"\begin{document}",
        rf"\section*{{{title}}}",
        body,
        r"\clearpage",
        r"\subsection*{The network in symcnn notation}",
        _source(analysis),
        r"\end{document}",
    ])


class LatexFormatter:
    r"""The table and/or the derivation, as a fragment or (``standalone``) a whole document.

    ``symbols`` maps names of the network to LaTeX written on purpose (``{"a": r"\alpha"}``);
    ``name`` is the network's name, printed as text in the caption and the title.

    >>> import symcnn
    >>> a = symcnn.parse("input 32x32x3\nconv3-{16*a}").analyze()
    >>> print(LatexFormatter().render(Report(a, symbols={"a": r"\alpha"}, name="my_net")).splitlines()[5])
      \caption{Cost of each layer of my\_net at input $32\times 32\times 3$.}
    """

    name = "latex"

    def render(self, report: Report) -> str:
        analysis = report.analysis
        unknown = sorted(set(report.symbols) - set(analysis.network.names))
        if unknown:
            names = ", ".join(analysis.network.names) or "none"
            raise SymcnnError(f"the network has no name '{unknown[0]}' to give a symbol to; its names are: {names}")
        printer = Printer(report.symbols, report.siunitx)
        parts = []
        if report.table:
            parts.append(cost_table(analysis, printer, report.expand, report.name))
        if report.derive:
            parts.append(derivation.render(analysis, printer, report.expand))
        body = "\n\n".join(parts)
        if report.standalone:
            return document(body, analysis, report.siunitx, report.name)
        needs = [package for package, used in NEEDS if used in body]
        return f"% symcnn: needs \\usepackage{{{','.join(needs)}}}\n{body}" if needs else body
