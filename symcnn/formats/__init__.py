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
from typing import Any

from .report import Formatter, Report

__all__ = ["FORMATS", "Formatter", "Report", "data", "formatter", "render"]


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
