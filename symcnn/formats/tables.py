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
    """The sweeps as one table (a model column when there are several), or as CSV with every total."""
    names = list(dict.fromkeys(name for s in sweeps for name in s.axes))
    keys = TOTAL_KEYS if csv else SWEEP_KEYS
    several = len(sweeps) > 1 or csv
    rows = []
    for s in sweeps:
        # each axis value written once, not once per point (10^6 points share 2,000 values)
        shown = {n: [arith.decimal(v) for v in axis] for n, axis in s.axes.items()}
        columns = [[_cell(v, csv) for v in s.totals[k].reshape(-1).tolist()] for k in keys]
        axis_columns = [[shown[n][i] for i in index] for n, index in
                        zip(s.axes, zip(*itertools.product(*(range(len(axis)) for axis in s.axes.values()))))]
        by_name = dict(zip(s.axes, axis_columns))
        blank = [""] * len(columns[0])
        rows += list(zip(*([[s.label] * len(blank)] if several else []),
                         *(by_name.get(n, blank) for n in names), *columns))
    header = (["model"] if several else []) + names + [k if csv else LABELS.get(k, k) for k in keys]
    if csv:
        return "\n".join(",".join(row) for row in [header] + rows)
    left = 1 if several else 0
    return "\n".join(align([header] + rows, set(range(left, len(header)))))


def _cell(value: Any, csv: bool) -> str:
    if isinstance(value, int):
        return str(value) if csv else f"{value:,}"
    return repr(float(value))
