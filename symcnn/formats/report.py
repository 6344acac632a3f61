"""What every formatter takes: a :class:`Report`, and the :class:`Formatter` protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..memory import Memory


@dataclass(frozen=True)
class Report:
    """What a formatter renders: an analysis, its memory (when asked for), and the options of the output.

    ``expand``: one table line per layer instance; ``name``: the network's name in captions;
    ``symbols``: LaTeX for names (``{"a": r"\\alpha"}``); ``siunitx``: ``\\num{}`` numbers;
    ``table``/``derive``/``standalone``: which parts of the LaTeX; ``formulas``: the closed
    forms in the JSON at concrete sizes too; ``width``: the terminal's width, to which the text
    table abbreviates its formulas (None: every formula in full); ``depth``: the text table folds
    blocks nested deeper into one line each; ``compact``: it leaves out the in-place rows; ``units``:
    its numbers in k, M, G and KiB, MiB, GiB; ``percent``: each row's share of params and MACs.
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
    width: int | None = None
    depth: int | None = None
    compact: bool = False
    units: bool = False
    percent: bool = False


class Formatter(Protocol):
    """The protocol of every renderer."""

    name: str

    def render(self, report: Report) -> str: ...
