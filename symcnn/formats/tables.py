"""The tables of the subcommands: ``compare`` (totals side by side) and ``sweep`` (totals on a grid)."""

from __future__ import annotations

import itertools
import math

from collections.abc import Iterable, Iterator, Sequence
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
    return "\n".join(sweep_parts(sweeps, csv)[1])


CHUNK = 100_000


def sweep_parts(sweeps: Sequence[Sweep], csv: bool = False) -> tuple[int, Iterator[str]]:
    """:func:`sweep`'s text in parts of at most ``CHUNK`` rows (for a progress bar), and how many parts.

    A 10^6-point sweep is a million rows: each column's width comes from its longest cell (for
    counts, from its largest value), then each row is one ``str.format`` call.
    """
    names = list(dict.fromkeys(name for s in sweeps for name in s.axes))
    keys = TOTAL_KEYS if csv else SWEEP_KEYS
    several = len(sweeps) > 1 or csv
    header = (["model"] if several else []) + names + [k if csv else LABELS.get(k, k) for k in keys]
    shown = [{n: [arith.decimal(v) for v in axis] for n, axis in s.axes.items()} for s in sweeps]
    totals = [[s.totals[k].reshape(-1).tolist() for k in keys] for s in sweeps]
    counts = [all(isinstance(v, int) for own in totals for v in own[i]) for i in range(len(keys))]
    for own in totals:
        own[:] = [column if count else [_cell(v, csv) for v in column] for column, count in zip(own, counts)]
    sizes = [len(own[0]) for own in totals]
    if csv:
        line, top = ",".join(["{}"] * len(header)), [",".join(header)]
    else:
        widths = [max(len(title), *(_width(column) for column in columns))
                  for title, columns in zip(header, zip(*(_cells(s, axes, own, names, several)
                                                          for s, axes, own in zip(sweeps, shown, totals))))]
        left = 1 if several else 0
        commas = [False] * (len(header) - len(keys)) + counts
        line = "  ".join(f"{{:{'<' if i < left else '>'}{w}{',' if comma else ''}}}"
                         for i, (w, comma) in enumerate(zip(widths, commas)))
        top = ["  ".join((str.ljust if i < left else str.rjust)(text, w) for i, (text, w) in
                         enumerate(zip(header, widths))).rstrip(), "  ".join("-" * w for w in widths)]
    rows = itertools.chain.from_iterable(
        map(line.format, *_columns(s, axes, names, several, size), *own)
        for s, axes, own, size in zip(sweeps, shown, totals, sizes))
    parts = -(-sum(sizes) // CHUNK)
    chunks = ("\n".join(itertools.islice(rows, CHUNK)) for _ in range(parts))
    return parts + 1, itertools.chain(["\n".join(top)], chunks)


def _cells(s: Sweep, axes: dict[str, list[str]], own: list[list[Any]], names: list[str],
           several: bool) -> list[list[Any]]:
    """The cells that set one sweep's column widths: each axis value, and each total (for counts, the largest)."""
    return ([[s.label]] if several else []) + [axes.get(n, [""]) for n in names] + \
        [[max(column)] if isinstance(column[0], int) else column for column in own]


def _width(cells: list[Any]) -> int:
    return max(len(f"{cell:,}" if isinstance(cell, int) else cell) for cell in cells)


def _columns(s: Sweep, axes: dict[str, list[str]], names: list[str], several: bool, size: int) -> list[Iterable[str]]:
    """The model and axis columns of one sweep's rows, in the order of ``itertools.product`` over its axes."""
    lengths = [len(axis) for axis in axes.values()]
    spread = {}
    for j, (name, cells) in enumerate(axes.items()):
        inner, outer = math.prod(lengths[j + 1:]), math.prod(lengths[:j])
        spread[name] = [cell for cell in cells for _ in range(inner)] * outer
    return ([itertools.repeat(s.label, size)] if several else []) + \
        [spread.get(n, itertools.repeat("", size)) for n in names]


def _cell(value: Any, csv: bool) -> str:
    if isinstance(value, int):
        return str(value) if csv else f"{value:,}"
    return repr(float(value))
