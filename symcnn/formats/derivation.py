"""The cost derivation as LaTeX ``align*``: general formulas, each layer substituted, the totals.

For every layer with parameters or MACs the derivation shows formula → values →
result, e.g. ``P = (k^2 C_in + 1) C_out = (3^2·128 + 1)·256 = 295,168``. Each layer
kind writes its own steps (:meth:`symcnn.layers.base.Layer.derive`); the result is the
analysis's exact cost, and the substituted product evaluates to it (the tests check this
for every model in the zoo).
"""

from __future__ import annotations

from typing import Any

from .. import arith
from ..analysis import Analysis
from ..layers import Layer, Shape
from ..layers import derive as d
from .grouped import lines
from .style import Latex
from .tex import Printer, text, width

LINE_WIDTH = 60
"""Printed characters after which a sum continues on the next line."""
STEP_WIDTH = 70
"""Printed characters of formula and values after which a layer's result goes on the next line."""
TOTALS = (("Parameters", "P", "params"), ("MACs", "M", "macs"), ("Activations", "A", "activations"))


def steps(printer: Printer, layer: Layer, shape: Shape, output: Shape, batch: Any = 1) -> d.Derived | None:
    """The general formulas and the substituted steps for a layer, or None when it costs nothing to derive.

    >>> import symcnn
    >>> a = symcnn.parse("input 56x56x128\\nconv3-256").analyze()
    >>> block = a.tree.parts[0]
    >>> p, m = steps(Printer(), block.layer, block.input, a.rows[1].output).steps
    >>> p.general, p.substituted.tex, p.substituted.value
    ('(k^2 C_{\\\\mathrm{in}} + 1)\\\\,C_{\\\\mathrm{out}}', '(3^2\\\\cdot 128 + 1)\\\\cdot 256', 295168)
    """
    found = layer.derive(printer, shape, output)
    if found is None or batch == 1:
        return found
    # MACs are for the whole batch of N samples.
    batched = tuple(d.Step(s.symbol, f"N\\,{s.general}", d.product(d.value(printer, batch), s.substituted), s.key)
                    if s.key == "macs" else s for s in found.steps)
    return d.Derived(found.title, batched)


def _sum_lines(printer: Printer, label: str, value: Any) -> list[str]:
    """``label &= a + b + c`` with a long sum continued on ``&\\quad + d`` lines."""
    chunks: list[str] = []
    for term in printer.terms(value):
        if chunks and width(chunks[-1] + term) <= LINE_WIDTH:
            chunks[-1] += " " + term
        else:
            chunks.append(term)
    return [f"{label} &= {chunks[0]}"] + [rf"&\quad {chunk}" for chunk in chunks[1:]]


def _totals(printer: Printer, analysis: Analysis) -> list[str]:
    """The totals: closed forms, polynomial forms where floors clear, then the numbers at the given values."""
    out: list[str] = []
    names = sorted(analysis.symbolic.free_symbols, key=str)
    evaluated = analysis.evaluated
    if names:
        shown = ", ".join(f"${printer.math(s)}$" for s in names)
        out.append(rf"\intertext{{Totals in {shown}, each layer counted as often as it runs:}}")
        for title, letter, key in TOTALS:
            out += _sum_lines(printer, rf"\text{{{title}}}\colon\quad {letter}", analysis.formulas[key])
        from ..growth import without_floors

        spatial = [s for s in analysis.symbolic.input[:2] if getattr(s, "is_Symbol", False)]
        cleared = without_floors(analysis.formulas, list(dict.fromkeys(spatial)))
        if cleared is not None:
            divisor, polynomials = cleared
            dims = " and ".join(f"${printer.math(s)}$" for s in dict.fromkeys(spatial))
            out.append(rf"\intertext{{When {dims} are multiples of {divisor}:}}")
            for title, letter, key in TOTALS:
                out += _sum_lines(printer, rf"\text{{{title}}}\colon\quad {letter}", polynomials[key])
    if evaluated or not names:
        out.append(rf"\intertext{{{f'At {Latex(printer).where(analysis)}:' if evaluated else 'Totals:'}}}")
        for title, letter, key in TOTALS:
            out += _sum_lines(printer, rf"\text{{{title}}}\colon\quad {letter}", analysis.totals[key])
    flops = analysis.totals["flops"]
    out.append(r"\text{FLOPs}\colon\quad F &= 2M" + (f" = {printer.math(flops)}" if arith.numeric(flops) else ""))
    return out


def summary(printer: Printer, analysis: Analysis) -> str:
    r"""The totals as one ``aligned`` display, for Jupyter (MathJax) and nbconvert alike.

    >>> import symcnn
    >>> print(summary(Printer(), symcnn.parse("input 8x8x3\nconv3-4").analyze()))
    $$\begin{aligned}
    \text{Parameters}\quad P &= 112\\
    \text{MACs}\quad M &= 6{,}912\\
    \text{Activations}\quad A &= 448
    \end{aligned}$$
    """
    rows: list[str] = []
    for title, letter, key in TOTALS:
        closed, value = analysis.formulas[key], analysis.totals[key]
        body = printer.math(closed) + ("" if closed == value else f" = {printer.math(value)}")
        rows.append(rf"\text{{{title}}}\quad {letter} &= {body}")
    return "$$\\begin{aligned}\n" + "\\\\\n".join(rows) + "\n\\end{aligned}$$"


def _layers(printer: Printer, analysis: Analysis, expand: bool) -> tuple[list[d.Derived], list[str]]:
    """The kinds met, in order, and the substituted lines of every layer that has a cost to derive."""
    kinds: dict[tuple[str, tuple[tuple[str, str], ...]], d.Derived] = {}
    out: list[str] = []
    for line in lines(analysis, expand):
        found = (steps(printer, line.layer, line.input, line.row.output, analysis.batch_size)
                 if line.layer and line.input else None)
        if found is None:
            continue
        kinds.setdefault((found.title, found.formulas), found)
        label = text(line.row.name) + (" (shortcut)" if line.shortcut else "")
        for i, step in enumerate(found.steps):
            head = rf"\text{{{label}}}\colon\quad {step.symbol}" if i == 0 else step.symbol
            result = printer.math(getattr(line.row, step.key))
            # A substitution that is already the number (layer scale: P = C = 96) is not written twice.
            bare = step.substituted.tex.replace("{,}", "").isdigit()
            body = step.general if bare else f"{step.general} = {step.substituted.tex}"
            tag = rf" \tag*{{$\times {printer.math(line.times)}$}}" if i == 0 and line.times != 1 else ""
            if width(body + result) > STEP_WIDTH:
                out += [f"{head} &= {body}", f"&= {result}{tag}"]
            else:
                out.append(f"{head} &= {body} = {result}{tag}")
    return list(kinds.values()), out


def _join(entries: list[str]) -> str:
    r"""Lines of an ``align*``: ``\\`` ends each line except the last and the ``\intertext`` ones."""
    out = []
    for i, entry in enumerate(entries):
        last = i == len(entries) - 1 or entries[i + 1].startswith(r"\intertext")
        out.append(entry + ("" if last or entry.startswith(r"\intertext") else r"\\"))
    return "\n".join(out)


def render(analysis: Analysis, printer: Printer, expand: bool = False) -> str:
    r"""The whole derivation: one ``align*`` with the general formulas, the layers and the totals.

    >>> import symcnn
    >>> out = symcnn.parse("input 56x56x128\nconv3-256").analyze().to_latex(table=False, derive=True)
    >>> print(next(line for line in out.splitlines() if line.startswith(r"\text{conv3-256}")).split(" = ", 1)[1])
    (3^2\cdot 128 + 1)\cdot 256 = 295{,}168\\
    """
    kinds, layer_lines = _layers(printer, analysis, expand)
    entries = []
    for kind in kinds:
        entries.append(rf"\intertext{{{kind.title}:}}")
        entries += [f"{symbol} &= {general}" for symbol, general in kind.formulas]
    if layer_lines:
        entries.append(r"\intertext{Each layer, its values substituted:}")
        entries += layer_lines
    entries += _totals(printer, analysis)
    legend = r"\noindent $P$: parameters, $M$: multiply--accumulates (MACs), $A$: activation elements."
    return legend + "\n\\begin{align*}\n" + _join(entries) + "\n\\end{align*}"
