"""Renderers: one formatter class per output format, one signature, one dispatch table.

Every formatter takes a :class:`Report` (the analysis and the options that shape its
output) and returns text. The command line and ``Analysis.to_*`` both go through
:func:`render`, which imports only the formatter in use.

>>> import symcnn
>>> render("csv", Report(symcnn.parse("input 8x8x3\\nconv3-4").analyze())).splitlines()[2]
'1,conv3-4,conv,1,8,8,4,108,4,112,0,6912,256'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..memory import Memory


@dataclass(frozen=True)
class Report:
    """What a formatter renders: an analysis, its memory (when asked for), and the options of the output.

    ``expand``: one table line per layer instance; ``name``: the network's name in captions;
    ``symbols``: LaTeX for names (``{"a": r"\\alpha"}``); ``siunitx``: ``\\num{}`` numbers;
    ``table``/``derive``/``standalone``: which parts of the LaTeX; ``formulas``: the closed
    forms in the JSON at concrete sizes too.
    """

    analysis: Analysis
    memory: Memory | None = None
    expand: bool = False
    name: str | None = None
    symbols: Mapping[str, str] = field(default_factory=dict)
    siunitx: bool = False
    table: bool = True
    derive: bool = False
    standalone: bool = False
    formulas: bool = False


class Formatter(Protocol):
    """The protocol of every renderer."""

    name: str

    def render(self, report: Report) -> str: ...


FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "TextFormatter"),
    "json": ("json", "JsonFormatter"),
    "markdown": ("markdown", "MarkdownFormatter"),
    "csv": ("csv", "CsvFormatter"),
    "formula": ("formula", "FormulaFormatter"),
    "latex": ("latex", "LatexFormatter"),
    "html": ("html", "HtmlFormatter"),
}
"""Format name -> (module of this package, formatter class)."""


def formatter(name: str) -> Formatter:
    module, cls = FORMATS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)()  # type: ignore[no-any-return]


def render(name: str, report: Report) -> str:
    """``report`` in the format ``name`` (a key of :data:`FORMATS`)."""
    return formatter(name).render(report)


def data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (what the JSON format serialises)."""
    from .json import to_dict

    return to_dict(report)
