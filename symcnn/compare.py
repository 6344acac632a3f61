"""``symcnn compare``: the totals of several networks side by side, one column each."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .analysis import TOTAL_KEYS, Analysis
from .errors import SymcnnError
from .formats import number
from .options import Parser, add_input_arguments, prepared
from .syntax import parse_assignment

LABELS = {"macs": "MACs", "flops": "FLOPs", "activation_bytes": "activation bytes", "param_bytes": "param bytes"}


def compare(analyses: Sequence[Analysis], labels: Sequence[str]) -> str:
    """One table: a row per total, a column per network.

    >>> import symcnn
    >>> small = symcnn.parse("input 32x32x3\\nconv3-8, gap, fc-10").analyze()
    >>> print(compare([small, symcnn.load("vgg16").analyze().at("32x32x3")], ["small", "vgg16"]).splitlines()[2])
    params                314   37,694,248
    """
    header = ["", *labels]
    rows = [[LABELS.get(key, key), *(number(a.totals[key]) for a in analyses)] for key in TOTAL_KEYS]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     .rstrip() for row in lines)


def _arguments() -> argparse.ArgumentParser:
    p = Parser(prog="symcnn compare", description="Totals of several networks side by side.",
               epilog="example: symcnn compare vgg16 resnet50 mobilenet_v2 --at 224x224x3")
    p.add_argument("arch", nargs="+", help="networks: notation, .cnn files or built-in model names")
    p.add_argument("--width", metavar="W", help="a width multiplier on every network's channel counts")
    p.add_argument("--resolution", metavar="R", help="input R x R")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="give a name a value")
    add_input_arguments(p)
    return p


def run(argv: list[str]) -> str:
    """``symcnn compare MODEL MODEL... [--at 224x224x3]``."""
    from .cli import load_arch

    args = _arguments().parse_args(argv)
    values = dict(parse_assignment(item) for item in args.set)
    analyses = []
    for arch in args.arch:
        network = prepared(load_arch(arch), args.at, args.width, args.resolution, args.round_channels)
        analysis = network.analyze(dtype=args.dtype)
        given = {name: value for name, value in values.items() if name in network.symbols}
        analyses.append(analysis.at(**given) if given else analysis)
    unused = sorted(set(values) - {name for a in analyses for name in a.values})
    if unused:
        raise SymcnnError(f"none of these networks has a name '{unused[0]}' to give a value to")
    return compare(analyses, args.arch)
