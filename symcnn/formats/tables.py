"""The tables of the subcommands: ``compare`` (totals side by side) and ``sweep`` (totals on a grid)."""

from __future__ import annotations

import itertools

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import arith
from ..constants import TOTAL_KEYS
from .table import align

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..sweep import Sweep

LABELS = {"macs": "MACs", "flops": "FLOPs", "activation_bytes": "activation bytes", "param_bytes": "param bytes"}
SWEEP_KEYS = ("params", "macs", "activations")


def compare(analyses: Sequence[Analysis], labels: Sequence[str]) -> str:
    """One table: a row per total, a column per network.

    >>> import symcnn
    >>> small = symcnn.parse("input 32x32x3\\nconv3-8, gap, fc-10").analyze()
    >>> print(compare([small, symcnn.load("vgg16").analyze().at("32x32x3")], ["small", "vgg16"]).splitlines()[2])
    params                314  138,357,544
    """
    rows = [["", *labels]] + [[LABELS.get(key, key), *(arith.number(a.totals[key]) for a in analyses)]
                              for key in TOTAL_KEYS]
    return "\n".join(align(rows, set(range(1, len(labels) + 1))))


def sweep(sweeps: Sequence[Sweep], csv: bool = False) -> str:
    """The sweeps as one table (a model column when there are several), or as CSV with every total.

    Built column by column (a 10^6-point sweep is a million rows): each axis value is written once,
    each column padded in one pass.
    """
    names = list(dict.fromkeys(name for s in sweeps for name in s.axes))
    keys = TOTAL_KEYS if csv else SWEEP_KEYS
    several = len(sweeps) > 1 or csv
    header = (["model"] if several else []) + names + [k if csv else LABELS.get(k, k) for k in keys]
    columns: list[list[str]] = [[] for _ in header]
    for s in sweeps:
        shown = {n: [arith.decimal(v) for v in axis] for n, axis in s.axes.items()}
        indexes = dict(zip(s.axes, zip(*itertools.product(*(range(len(axis)) for axis in s.axes.values())))))
        size = len(next(iter(indexes.values())))
        parts = ([[s.label] * size] if several else []) + \
            [[shown[n][i] for i in indexes[n]] if n in indexes else [""] * size for n in names] + \
            [[_cell(v, csv) for v in s.totals[k].reshape(-1).tolist()] for k in keys]
        for column, part in zip(columns, parts):
            column += part
    if csv:
        return "\n".join([",".join(header)] + [",".join(row) for row in zip(*columns)])
    left = 1 if several else 0
    padded = []
    for i, (title, column) in enumerate(zip(header, columns)):
        width = max(len(title), *map(len, column))
        pad = str.ljust if i < left else str.rjust
        padded.append([pad(title, width), "-" * width] + [pad(cell, width) for cell in column])
    return "\n".join(line.rstrip() for line in map("  ".join, zip(*padded)))


def _cell(value: Any, csv: bool) -> str:
    if isinstance(value, int):
        return str(value) if csv else f"{value:,}"
    return repr(float(value))
