"""LaTeX building blocks: user text as inert text, names as symbols, exact numbers, expressions.

Everything user-written (comments, names, layer labels) goes through :func:`text`,
which turns every character TeX could act on into one it only prints; the
result compiles with pdflatex in the default OT1 encoding, so no font beyond
those of texlive-latex-base is needed. The one exception is LaTeX a user
gives on purpose for a symbol (``--symbol a='\\alpha'``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .. import arith, values
from ..errors import SymcnnError
from ..values import Apply

_ASCII = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    # \$ would take the dollar from a TS1 font, which texlive-latex-base has only as METAFONT source.
    "$": r"\texttt{\char36}",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\texttt{\char94}",
    "~": r"\texttt{\char126}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\texttt{\char34}",
    # A '[' right after \\ would be read as its optional argument; !` and ?` are ligatures.
    "[": "{[}",
    "]": "{]}",
    "`": "{`}",
}
_UNICODE = {
    "\u00a0": "~",
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u2026": r"\ldots{}",
    "\u00d7": r"$\times$",
    "\u00b7": r"$\cdot$",
    "\u2212": "$-$",
    "\u2192": r"$\to$",
    "\u2264": r"$\le$",
    "\u2265": r"$\ge$",
    "\u2248": r"$\approx$",
    "\u00b1": r"$\pm$",
    "\u00b5": r"$\mu$",
    "\u00df": r"\ss{}",
    "\u00e6": r"\ae{}",
    "\u00c6": r"\AE{}",
    "\u0153": r"\oe{}",
    "\u0152": r"\OE{}",
    "\u00f8": r"\o{}",
    "\u00d8": r"\O{}",
    "\u0142": r"\l{}",
    "\u0141": r"\L{}",
}
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u", "\u0307": ".",
    "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c",
}
_TYPEWRITER = {char: f"{{\\char{ord(char)}}}" for char in "\\{}$&#^_%~<>|\""} | {"'": r"{\char13}", "`": r"{\char18}"}
"""In a typewriter font every ASCII character has its own glyph (cmtt keeps the upright quotes at 13 and 18)."""
GREEK = frozenset(
    ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"]
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _char(char: str, typewriter: bool) -> str:
    if typewriter and char in _TYPEWRITER:
        return _TYPEWRITER[char]
    if char in _ASCII:
        return _ASCII[char]
    if " " <= char <= "~":
        return char
    if char in _UNICODE:
        return _UNICODE[char]
    if unicodedata.category(char)[0] in "CZ":
        return " "
    unicode_name = unicodedata.name(char, "").lower()
    letter = unicode_name.removeprefix("greek small letter ").removeprefix("greek capital letter ")
    if unicodedata.name(char, "").startswith("GREEK") and letter in {g.lower() for g in GREEK}:
        upper = unicodedata.name(char).startswith("GREEK CAPITAL")
        name = letter.capitalize() if upper else letter
        if name in GREEK:
            return f"$\\{name}$"
    base, *marks = unicodedata.normalize("NFD", char)
    if marks and base.isascii() and base.isalpha() and all(mark in _ACCENTS for mark in marks):
        out = base if base not in "ij" else "\\" + base
        for mark in marks:
            out = f"\\{_ACCENTS[mark]}{{{out}}}"
        return out
    return f"[U+{ord(char):04X}]"


def text(value: str, typewriter: bool = False) -> str:
    """User text as LaTeX that prints it and does nothing else (``typewriter``: for a ``\\ttfamily`` block).

    >>> print(text(r"\\input{/etc/passwd} 50% of #1 -- ok — é"))
    \\textbackslash{}input\\{/etc/passwd\\} 50\\% of \\#1 -{}- ok --- \\'{e}
    """
    # A hyphen before a hyphen gets {} so that '--' does not print a dash.
    return "".join(_char(char, typewriter) + ("{}" if char == "-" and value[i + 1 : i + 2] == "-" else "")
                   for i, char in enumerate(value))


def _group(digits: str) -> str:
    """``138357544`` as ``138{,}357{,}544``: the comma grouping, safe in text and in math."""
    sign = "-" if digits.startswith("-") else ""
    return sign + f"{int(digits.lstrip('-')):,}".replace(",", "{,}")


def _group_numerals(latex: str, siunitx: bool) -> str:
    def repl(match: re.Match[str]) -> str:
        return f"\\num{{{match.group()}}}" if siunitx else _group(match.group())

    return re.sub(r"(?<!_\{)(?<![\w.])\d{4,}(?![\w.])", repl, latex)


def width(latex: str) -> int:
    """A rough count of the characters LaTeX prints, to decide whether something fits.

    >>> width(r"1{,}792 \\left\\lfloor{H / 2}\\right\\rfloor")
    13
    """
    bare = re.sub(r"\\(left|right|mathrm|mathit|,)", "", latex)
    return len(re.sub(r"[{}^_]", "", re.sub(r"\\[A-Za-z]+", "x", bare)))


def symbol(name: str) -> str:
    """How a reader expects a name: ``alpha`` is α, ``C_in`` is C with an upright subscript.

    >>> [symbol(n) for n in ("H", "alpha", "C_in", "k2", "width", "w_max_2")]
    ['H', '\\\\alpha', 'C_{\\\\mathrm{in}}', 'k_{2}', '\\\\mathit{width}', 'w_{\\\\mathrm{max\\\\_2}}']
    """
    base, underscore, sub = name.partition("_")
    if underscore and base and sub:
        return f"{_word(base)}_{{{_subscript(sub)}}}"
    digits = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if digits:
        return f"{_word(digits.group(1))}_{{{digits.group(2)}}}"
    return _word(name)


def _word(word: str) -> str:
    if word in GREEK:
        return "\\" + word
    if len(word) == 1:
        return word
    return f"\\mathit{{{text(word)}}}"


def _subscript(word: str) -> str:
    if word in GREEK:
        return "\\" + word
    if len(word) == 1 or word.isdigit():
        return word
    return f"\\mathrm{{{text(word)}}}"


def symbol_option(item: str) -> tuple[str, str]:
    r"""``NAME=LATEX`` from ``--symbol``: the name checked, the LaTeX kept as the user wrote it.

    >>> symbol_option(r"a=\alpha")
    ('a', '\\alpha')
    """
    name, equals, latex = item.partition("=")
    name = name.strip()
    if not equals or not _NAME.fullmatch(name) or not latex.strip():
        raise SymcnnError(f"--symbol takes NAME=LATEX, for example a='\\alpha'; not {item!r}")
    return name, latex.strip()


class Printer:
    """Expressions and numbers as LaTeX, with the network's names spelled for readers.

    Numbers are written without SymPy; expressions with names go through ``sympy.latex``.

    >>> from symcnn.symbolic import symbol
    >>> Printer({"a": r"\\alpha"}).math(1792 * symbol("a") + 36928)
    '1{,}792 \\\\alpha + 36{,}928'
    """

    def __init__(self, symbols: Mapping[str, str] | None = None, siunitx: bool = False) -> None:
        self.symbols = dict(symbols or {})
        self.siunitx = siunitx

    def name(self, name: str) -> str:
        """A name as LaTeX: as the user asked (``--symbol``), else as :func:`symbol` spells it."""
        return self.symbols.get(name) or symbol(name)

    def math(self, expr: Any, grouped: bool = True) -> str:
        """An expression as math-mode LaTeX (``H / 2``, not a stacked fraction), integers grouped if ``grouped``."""
        expr = arith.norm(expr)
        if type(expr) is int:
            latex = str(expr)
        elif type(expr) is Fraction:
            latex = f"{'- ' * (expr < 0)}{abs(expr.numerator)} / {expr.denominator}"
        elif type(expr) is Apply:  # a block given as a value: --set block=basic
            latex = rf"\text{{{text(values.text(expr))}}}"
        else:
            import sympy

            names = {s: self.name(s.name) for s in expr.free_symbols}
            latex = sympy.latex(expr, symbol_names=names, fold_short_frac=True, order="grlex")
        return _group_numerals(latex, self.siunitx) if grouped else latex

    def terms(self, expr: Any) -> list[str]:
        """The terms of a sum, each with its sign (``+ 3 H``, ``- 2``), the first without a plus.

        >>> from symcnn.symbolic import symbol
        >>> Printer().terms(2 * symbol("H")**2 - 3 * symbol("H") + 10000)
        ['2 H^{2}', '- 3 H', '+ 10{,}000']
        """
        expr = arith.norm(expr)
        if arith.numeric(expr):
            return [self.math(expr)]
        out = []
        for i, term in enumerate(expr.as_ordered_terms(order="grlex") if expr.is_Add else [expr]):
            negative = term.could_extract_minus_sign()
            body = self.math(-term if negative else term)
            out.append(("- " if negative else "+ " if i else "") + body)
        return out

    def number(self, value: Any) -> str:
        r"""A count for a table cell: ``1{,}792``, ``\num{1792}``, or ``$...$`` when symbolic.

        >>> Printer().number(1792), Printer(siunitx=True).number(1792)
        ('1{,}792', '\\num{1792}')
        """
        value = arith.norm(value)
        if type(value) is int:
            return f"\\num{{{value}}}" if self.siunitx else _group(str(value))
        return f"${self.math(value)}$"

    def shape(self, dims: tuple[Any, ...]) -> str:
        r"""An output shape as ``224\times 224\times 64`` (math mode, without the dollars).

        >>> print(Printer().shape((224, 224, 64)))
        224\times 224\times 64
        """
        return r"\times ".join(self.math(d, grouped=False) for d in dims)
