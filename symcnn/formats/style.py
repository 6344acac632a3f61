"""How each kind of output writes numbers, shapes, code and notes: one style class per kind of markup.

The Markdown, HTML and LaTeX tables say the same things under their tables; :func:`notes`
builds those sentences once, each style writing the values in its own markup.
"""

from __future__ import annotations

from html import escape as html_escape
from typing import TYPE_CHECKING, Any

from .. import arith
from ..constants import conventions

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .grouped import Line
    from .tex import Printer


class Style:
    """Plain text, as the terminal table writes it."""

    times = " × "
    flops = "FLOPs = 2 × MACs"
    repeated = "×n: a block repeated n times; the row shows one instance, the totals count all n."

    def escape(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        return text

    def number(self, value: Any) -> str:
        """A count: ``1,792``, or the expression when it has names."""
        return arith.number(value)

    def inline(self, value: Any) -> str:
        """A value inside a sentence."""
        return self.number(value)

    def equals(self, value: Any) -> str:
        return f"= {self.inline(value)}"

    def shape(self, dims: tuple[Any, ...]) -> str:
        return arith.shape(dims)

    def name(self, name: str) -> str:
        return self.escape(name)

    def where(self, analysis: Analysis) -> str:
        """``input 224×224×3, K = 1000``: the sizes and values the numbers are for."""
        parts = [f"input {self.shape(analysis.input)}"]
        parts += [self.assignment(name, value) for name, value in analysis.values.items()]
        return ", ".join(parts)

    def assignment(self, name: str, value: Any) -> str:
        return f"{self.name(name)} = {arith.text(value)}"

    def times_label(self, times: Any) -> str:
        """`` ×2`` after a table line that stands for several instances."""
        if times == 1:
            return ""
        return f" ×{times}" if type(times) is int else f" ×{self.code(arith.text(times))}"


class Markdown(Style):
    """GitHub-flavoured Markdown."""

    def escape(self, text: str) -> str:
        """Text that GitHub shows as written: the characters that start emphasis, links, HTML or cells escaped."""
        return "".join("\\" + c if c in "\\`*_[]<>|" else c for c in text)

    def code(self, text: str) -> str:
        """A code span; inside one only '|' needs escaping in a GitHub table."""
        return "`" + text.replace("|", "\\|") + "`"

    def number(self, value: Any) -> str:
        value = arith.norm(value)
        return f"{value:,}" if type(value) is int else self.code(arith.text(value))

    def shape(self, dims: tuple[Any, ...]) -> str:
        """``224×224×64``; a symbolic size as a code span."""
        if all(type(arith.norm(d)) is int for d in dims):
            return "×".join(str(d) for d in dims)
        return self.code("×".join(f"({arith.text(d)})" if getattr(d, "is_Add", False) or getattr(d, "is_Mul", False)
                                  else arith.text(d) for d in dims))


class Html(Markdown):
    """HTML for notebooks: everything written by the user escaped."""

    def escape(self, text: str) -> str:
        return html_escape(text)

    def code(self, text: str) -> str:
        return f"<code>{html_escape(text)}</code>"

    def number(self, value: Any) -> str:
        value = arith.norm(value)
        return f"{value:,}" if type(value) is int else self.code(arith.text(value))

    def shape(self, dims: tuple[Any, ...]) -> str:
        return html_escape("×".join(f"({arith.text(d)})" if getattr(d, "is_Add", False) or getattr(d, "is_Mul", False)
                                    else arith.text(d) for d in dims))

    def times_label(self, times: Any) -> str:
        return "" if times == 1 else f" ×{self.number(times)}"


class Latex(Style):
    """LaTeX: user text made inert, values in math mode, numbers grouped (or ``\\num{}`` with siunitx)."""

    times = r"\times{}"
    flops = r"FLOPs $= 2\times{}$MACs"
    repeated = r"$\times n$: a block repeated $n$ times; the row shows one instance, the totals count all $n$."

    def __init__(self, printer: Printer) -> None:
        self.printer = printer

    def escape(self, text: str) -> str:
        from .tex import text as inert

        return inert(text)

    def code(self, text: str) -> str:
        return self.escape(text)

    def number(self, value: Any) -> str:
        return self.printer.number(value)

    def inline(self, value: Any) -> str:
        return f"${self.printer.math(value)}$"

    def equals(self, value: Any) -> str:
        return f"$= {self.printer.math(value)}$"

    def shape(self, dims: tuple[Any, ...]) -> str:
        return f"${self.printer.shape(dims)}$"

    def assignment(self, name: str, value: Any) -> str:
        return f"${self.printer.name(name)} = {self.printer.math(value, grouped=False)}$"

    def times_label(self, times: Any) -> str:
        return "" if times == 1 else rf"\ $\times {self.printer.math(times)}$"


def omitted(shown_from: Analysis) -> list[str]:
    """The kinds of in-place layers a paper table leaves out, in order of first use.

    >>> import symcnn
    >>> omitted(symcnn.load("vgg16").analyze())
    ['relu', 'dropout']
    """
    kinds = [row.kind for row in shown_from.rows if row.layer is not None and row.layer.in_place]
    return list(dict.fromkeys(kinds))


def notes(analysis: Analysis, shown: list[Line], style: Style, with_conventions: bool = False) -> list[str]:
    """The sentences under a paper table, in the style's markup.

    >>> import symcnn
    >>> from symcnn.formats.grouped import lines
    >>> a = symcnn.parse("input 8x8x3\\n(conv3-4, relu) x3").analyze()
    >>> notes(a, lines(a), Markdown())[1:]
    ['×n: a block repeated n times; the row shows one instance, the totals count all n.', 'Not listed: `relu` (in place, no cost).']
    """
    t = analysis.totals
    found = [f"{style.flops} {style.equals(t['flops'])}. "
             f"Buffers (BatchNorm running statistics): {style.inline(t['buffers'])}. "
             f"Memory at {analysis.dtype}: parameters {style.inline(t['param_bytes'])} bytes, "
             f"activations {style.inline(t['activation_bytes'])} bytes."]
    side = analysis.side_totals
    if side is not None:
        found.append(f"Side outputs (not on the main path, not in the totals): params {style.inline(side['params'])}, "
                     f"MACs {style.inline(side['macs'])}.")
    if any(line.times != 1 for line in shown):
        found.append(style.repeated)
    skipped = omitted(analysis)
    if skipped:
        found.append(f"Not listed: {', '.join(style.code(kind) for kind in skipped)} (in place, no cost).")
    if with_conventions:
        found += [style.escape(sentence[0].upper() + sentence[1:]) + "." for sentence in conventions(analysis.dtype)]
    if analysis.divisible:
        found.append(f"The input height and width are taken to be multiples of {analysis.divisible}.")
    found += [style.escape(f"Warning: {text}.") for text in analysis.warnings]
    return found
