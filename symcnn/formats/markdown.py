"""A GitHub-flavoured Markdown table for a README: the rows of the paper table, the totals, the conventions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sympy import Expr

from ..analysis import DTYPE_BYTES, Analysis
from ..conventions import lines as conventions
from .grouped import Line, lines, notes

if TYPE_CHECKING:
    from ..memory import Memory

HEADER = ("layer", "output", "weights", "biases", "params", "MACs", "activations")
KEYS = ("weights", "biases", "params", "macs", "activations")


def _escape(text: str) -> str:
    """Text that GitHub shows as written: the characters that start emphasis, links, HTML or cells escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>|" else c for c in text)


def _code(text: str) -> str:
    """A code span; inside one only '|' needs escaping in a GitHub table."""
    return "`" + text.replace("|", "\\|") + "`"


def _value(expr: Expr) -> str:
    """A count: ``1,792``, or the expression as a code span when it has names."""
    return f"{int(expr):,}" if expr.is_Integer else _code(str(expr))


def _shape(dims: tuple[Expr, Expr, Expr]) -> str:
    """``224×224×64``; a symbolic size as a code span."""
    if all(d.is_Integer for d in dims):
        return "×".join(str(d) for d in dims)
    return _code("×".join(f"({d})" if d.is_Add or d.is_Mul else str(d) for d in dims))


def _layer(line: Line) -> str:
    indent = "&nbsp;&nbsp;" * line.level
    times = "" if line.times == 1 else f" ×{line.times}" if line.times.is_Integer else f" ×{_code(str(line.times))}"
    return indent + _code(line.row.name) + (" (shortcut)" if line.shortcut else "") + times


def _where(analysis: Analysis) -> str:
    """``input 224×224×3, K = 1000``: the sizes and values the numbers are for."""
    parts = [f"input {_shape(analysis.input)}"] + [f"{_escape(name)} = {v}" for name, v in analysis.values.items()]
    return ", ".join(parts)


def render(analysis: Analysis, expand: bool = False, memory: Memory | None = None) -> str:
    """The table (repeated blocks collapsed unless ``expand``), the totals and the conventions.

    >>> import symcnn
    >>> print(symcnn.parse("input 8x8x3\\n(conv3-4, relu) x3").analyze().to_markdown().splitlines()[6])
    | `conv3-4` ×2 | 8×8×4 | 144 | 4 | 148 | 9,216 | 256 |
    """
    shown = lines(analysis, expand)
    out = [f"Per-layer cost at {_where(analysis)}:", "",
           "| " + " | ".join(HEADER) + " |", "|:--|:--|" + "--:|" * len(KEYS)]
    for line in shown:
        cells = [_layer(line), _shape(line.row.output)] + [_value(getattr(line.row, key)) for key in KEYS]
        out.append("| " + " | ".join(cells) + " |")
    t = analysis.totals
    out.append("| **total** | | " + " | ".join(f"**{_value(t[key])}**" for key in KEYS) + " |")
    size = DTYPE_BYTES[analysis.dtype]
    out += ["", " ".join(notes(analysis, shown, _value, _code)), ""] + [f"- {_escape(text)}" for text in conventions(analysis.dtype, size)]
    if memory is not None:
        out += _memory(memory)
    return "\n".join(out)


def _memory(m: Memory) -> list[str]:
    """The memory figures as a two-column table.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> print("\\n".join(_memory(memory(symcnn.parse("input 8x8x3\\nconv3-4").analyze(), "sgd"))[5:7]))
    | **inference peak** | **2,240** |
    | &nbsp;&nbsp;parameters | 448 |
    """
    totals = m.totals()
    rows = [f"| **{label}** | **{_value(totals[key])}** |" if not label.startswith(" ") else
            f"| &nbsp;&nbsp;{_escape(label.strip())} | {_value(totals[key])} |" for key, label in m.parts()]
    return ["", f"Memory in bytes ({_escape(m.describe())}):", "", "| | bytes |", "|:--|--:|"] + rows
