"""The cost derivation as LaTeX ``align*``: general formulas, each layer substituted, the totals.

For every layer with parameters or MACs the derivation shows formula → values →
result, e.g. ``P = (k^2 C_in + 1) C_out = (3^2·128 + 1)·256 = 295,168``. The values
are the layer's own (kernel, channels, output size); the result is the analysis's
exact cost, and the substituted product evaluates to it (the tests check this for
every model in the zoo).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Expr

from ..analysis import Analysis
from ..layers import FC, BatchNorm, Conv, Deconv, Layer, Shape
from . import formula
from .grouped import lines
from .tex import Printer, text, width

CIN, COUT, C = r"C_{\mathrm{in}}", r"C_{\mathrm{out}}", "C"
HOUT, WOUT, HIN, WIN = r"H_{\mathrm{out}}", r"W_{\mathrm{out}}", r"H_{\mathrm{in}}", r"W_{\mathrm{in}}"
LINE_WIDTH = 60
"""Printed characters after which a sum continues on the next line."""
STEP_WIDTH = 70
"""Printed characters of formula and values after which a layer's result goes on the next line."""


@dataclass(frozen=True)
class Term:
    """A piece of a substituted formula: its LaTeX and its value."""

    tex: str
    value: Expr


@dataclass(frozen=True)
class Step:
    """One cost of one layer: ``symbol = general = substituted``; ``key`` names the row's result."""

    symbol: str
    general: str
    substituted: Term
    key: str


@dataclass(frozen=True)
class Kind:
    """A layer kind as the derivation introduces it: a title and its general formulas."""

    title: str
    steps: tuple[tuple[str, str], ...]


def _value(printer: Printer, value: Expr) -> Term:
    """A value as a factor: bare when it reads unambiguously next to a \\cdot, else parenthesised."""
    tex = printer.math(value, grouped=False)
    simple = value.is_Integer and value >= 0 or value.is_Symbol or isinstance(value, (sympy.floor, sympy.ceiling))
    if value.is_Mul and all(f.is_Integer and f > 0 or f.is_Symbol or isinstance(f, (sympy.floor, sympy.ceiling))
                            for f in value.args):
        simple = True
    return Term(tex if simple else rf"\left({tex}\right)", value)


def _product(*terms: Term) -> Term:
    return Term(r"\cdot ".join(t.tex for t in terms), sympy.Mul(*(t.value for t in terms)))


def _plus(a: Term, b: Term, brackets: bool = True) -> Term:
    tex = f"{a.tex} + {b.tex}"
    return Term(f"({tex})" if brackets else tex, a.value + b.value)


def _kernel(printer: Printer, kernel: tuple[Expr, Expr]) -> tuple[str, Term]:
    kh, kw = kernel
    if kh == kw:
        base = printer.math(kh, grouped=False)
        base = base if kh.is_Integer or kh.is_Symbol else rf"\left({base}\right)"
        return "k^2", Term(f"{base}^2", kh**2)
    return "k_h k_w", _product(_value(printer, kh), _value(printer, kw))


def steps(printer: Printer, layer: Layer, shape: Shape, output: Shape,
          batch: Expr = sympy.Integer(1)) -> tuple[Kind, list[Step]] | None:
    """The general formulas and the substituted steps for a layer, or None when it costs nothing to derive.

    >>> import symcnn
    >>> from symcnn.formats.tex import Printer
    >>> a = symcnn.parse("input 56x56x128\\nconv3-256").analyze()
    >>> block = a.tree.parts[0]
    >>> kind, (p, m) = steps(Printer(), block.layer, block.input, a.rows[1].output)
    >>> p.general, p.substituted.tex, p.substituted.value
    ('(k^2 C_{\\\\mathrm{in}} + 1)\\\\,C_{\\\\mathrm{out}}', '(3^2\\\\cdot 128 + 1)\\\\cdot 256', 295168)
    """
    found = _per_sample(printer, layer, shape, output)
    if found is None or batch == 1:
        return found
    kind, layer_steps = found
    # MACs are for the whole batch of N samples.
    batched = [Step(s.symbol, f"N\\,{s.general}", _product(_value(printer, batch), s.substituted), s.key)
               if s.key == "macs" else s for s in layer_steps]
    return Kind(kind.title, tuple((s.symbol, s.general) for s in batched)), batched


def _per_sample(printer: Printer, layer: Layer, shape: Shape, output: Shape) -> tuple[Kind, list[Step]] | None:
    h, w, c = shape
    ho, wo, n = output
    one = Term("1", sympy.Integer(1))
    if isinstance(layer, Conv) and layer.depthwise:
        k, kt = _kernel(printer, layer.kernel)
        ct = _value(printer, c)
        weights = _product(kt, ct)
        bias = layer.bias
        p = Step("P", f"({k} + 1)\\,{C}" if bias else f"{k} {C}",
                 _product(_plus(kt, one), ct) if bias else weights, "params")
        m = Step("M", f"{k} {C} {HOUT} {WOUT}", _product(kt, ct, _value(printer, ho), _value(printer, wo)), "macs")
        title = "Depthwise convolution" + ("" if bias else " without bias")
        return Kind(title, ((p.symbol, p.general), (m.symbol, m.general))), [p, m]
    if isinstance(layer, (Conv, Deconv)):
        k, kt = _kernel(printer, layer.kernel)
        g = layer.groups
        grouped = g != 1
        if isinstance(layer, Conv):
            cin = f"{CIN}/g" if grouped else CIN
            ct = Term(f"{_value(printer, c).tex}/{_value(printer, g).tex}", c / g) if grouped else _value(printer, c)
            nt = _value(printer, n)
            mac = _product(kt, ct, nt, _value(printer, ho), _value(printer, wo))
            mac_general = f"{k} {cin} {COUT} {HOUT} {WOUT}"
        else:
            cin = CIN
            ct = _value(printer, c)
            nt = Term(f"{_value(printer, n).tex}/{_value(printer, g).tex}", n / g) if grouped else _value(printer, n)
            mac = _product(kt, ct, nt, _value(printer, h), _value(printer, w))
            mac_general = f"{k} {CIN} {COUT}{'/g' if grouped else ''} {HIN} {WIN}"
        if layer.bias and not grouped:
            p = Step("P", f"({k} {cin} + 1)\\,{COUT}", _product(_plus(_product(kt, ct), one), nt), "params")
        elif layer.bias:
            cout_g = f"{COUT}/g" if isinstance(layer, Deconv) else COUT
            p = Step("P", f"{k} {cin} {cout_g} + {COUT}",
                     _plus(_product(kt, ct, nt), _value(printer, n), brackets=False), "params")
        else:
            cout_g = f"{COUT}/g" if isinstance(layer, Deconv) and grouped else COUT
            p = Step("P", f"{k} {cin} {cout_g}", _product(kt, ct, nt), "params")
        m = Step("M", mac_general, mac, "macs")
        name = "Convolution" if isinstance(layer, Conv) else "Transposed convolution"
        extras = [x for x, on in (("grouped", grouped), ("without bias", not layer.bias)) if on]
        title = name + (f" ({', '.join(extras)})" if extras else "")
        return Kind(title, ((p.symbol, p.general), (m.symbol, m.general))), [p, m]
    if isinstance(layer, FC):
        ct, nt = _value(printer, c), _value(printer, n)
        flat = h == 1 and w == 1
        inputs = _product(ct) if flat else _product(_value(printer, h), _value(printer, w), ct)
        inputs_general = CIN if flat else f"{HIN} {WIN} {CIN}"
        if layer.bias:
            p = Step("P", f"({inputs_general} + 1)\\,{COUT}", _product(_plus(inputs, one), nt), "params")
        else:
            p = Step("P", f"{inputs_general} {COUT}", _product(inputs, nt), "params")
        m = Step("M", f"{inputs_general} {COUT}", _product(inputs, nt), "macs")
        title = "Fully connected" + ("" if flat else f" on a ${HIN}\\times {WIN}\\times {CIN}$ input") + \
            ("" if layer.bias else " without bias")
        return Kind(title, ((p.symbol, p.general), (m.symbol, m.general))), [p, m]
    if isinstance(layer, BatchNorm):
        p = Step("P", f"2{C}", _product(Term("2", sympy.Integer(2)), _value(printer, c)), "params")
        return Kind("Batch normalization (scale and shift)", ((p.symbol, p.general),)), [p]
    return None


def _sum_lines(printer: Printer, label: str, value: Expr) -> list[str]:
    """``label &= a + b + c`` with a long sum continued on ``&\\quad + d`` lines."""
    chunks: list[str] = []
    for term in printer.terms(value):
        if chunks and width(chunks[-1] + term) <= LINE_WIDTH:
            chunks[-1] += " " + term
        else:
            chunks.append(term)
    return [f"{label} &= {chunks[0]}"] + [rf"&\quad {chunk}" for chunk in chunks[1:]]


TOTALS = (("Parameters", "P", "params"), ("MACs", "M", "macs"), ("Activations", "A", "activations"))


def _inputs(printer: Printer, analysis: Analysis) -> str:
    r"""``input $224\times224\times3$, $K = 1000$``: where the numbers are taken."""
    parts = [f"input ${printer.shape(analysis.input)}$"]
    parts += [f"${printer.math(sympy.Symbol(name), grouped=False)} = {printer.math(v, grouped=False)}$"
              for name, v in analysis.values.items()]
    return ", ".join(parts)


def _totals(printer: Printer, analysis: Analysis) -> list[str]:
    """The totals: closed forms, polynomial forms where floors clear, then the numbers at the given values."""
    out: list[str] = []
    names = sorted(analysis.symbolic.free_symbols, key=str)
    evaluated = bool(analysis.values) or analysis.input != analysis.network.input
    if names:
        shown = ", ".join(f"${printer.math(s)}$" for s in names)
        out.append(rf"\intertext{{Totals in {shown}, each layer counted as often as it runs:}}")
        for title, letter, key in TOTALS:
            out += _sum_lines(printer, rf"\text{{{title}}}\colon\quad {letter}", analysis.formulas[key])
        cleared = formula.without_floors(analysis)
        if cleared is not None:
            d, polynomials = cleared
            dims = " and ".join(f"${printer.math(s)}$" for s in analysis.symbolic.input[:2] if s.is_Symbol)
            out.append(rf"\intertext{{When {dims} are multiples of {d}:}}")
            for title, letter, key in TOTALS:
                out += _sum_lines(printer, rf"\text{{{title}}}\colon\quad {letter}", polynomials[key])
    if evaluated or not names:
        out.append(rf"\intertext{{{f'At {_inputs(printer, analysis)}:' if evaluated else 'Totals:'}}}")
        for title, letter, key in TOTALS:
            out += _sum_lines(printer, rf"\text{{{title}}}\colon\quad {letter}", analysis.totals[key])
    flops = analysis.totals["flops"]
    out.append(r"\text{FLOPs}\colon\quad F &= 2M" + (f" = {printer.math(flops)}" if flops.is_Integer else ""))
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


def _layers(printer: Printer, analysis: Analysis, expand: bool) -> tuple[list[Kind], list[str]]:
    """The kinds met, in order, and the substituted lines of every layer that has a cost to derive."""
    kinds: list[Kind] = []
    out: list[str] = []
    for line in lines(analysis, expand):
        found = (steps(printer, line.layer, line.input, line.row.output, analysis.batch_size)
                 if line.layer and line.input else None)
        if found is None:
            continue
        kind, layer_steps = found
        if kind not in kinds:
            kinds.append(kind)
        label = text(line.row.name) + (" (shortcut)" if line.shortcut else "")
        for i, step in enumerate(layer_steps):
            head = rf"\text{{{label}}}\colon\quad {step.symbol}" if i == 0 else step.symbol
            body = f"{step.general} = {step.substituted.tex}"
            result = printer.math(getattr(line.row, step.key))
            tag = rf" \tag*{{$\times {printer.math(line.times)}$}}" if i == 0 and line.times != 1 else ""
            if width(body + result) > STEP_WIDTH:
                out += [f"{head} &= {body}", f"&= {result}{tag}"]
            else:
                out.append(f"{head} &= {body} = {result}{tag}")
    return kinds, out


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
        entries += [f"{symbol} &= {general}" for symbol, general in kind.steps]
    if layer_lines:
        entries.append(r"\intertext{Each layer, its values substituted:}")
        entries += layer_lines
    entries += _totals(printer, analysis)
    legend = r"\noindent $P$: parameters, $M$: multiply--accumulates (MACs), $A$: activation elements."
    return legend + "\n\\begin{align*}\n" + _join(entries) + "\n\\end{align*}"
