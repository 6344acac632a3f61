"""``symcnn sweep``: the totals on a grid of widths, resolutions or other values."""

from __future__ import annotations

import argparse
import dataclasses
import re

from sympy import Rational

from ..api import public
from ..errors import SymcnnError
from ..formats.tables import sweep_parts
from ..loading import load_arch
from ..sweep import grid, sweep
from .common import Parser, add_input_arguments, prepared, progress


def _axis(text: str, default: str) -> tuple[str, str]:
    """``w=0.25:2:0.25`` or ``0.25:2:0.25`` (named ``default``): the name and the grid."""
    match = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=(.*)", text)
    return (match.group(1), match.group(2)) if match else (default, text)


def _arguments() -> argparse.ArgumentParser:
    p = Parser(prog="symcnn sweep", description="Totals on a grid of widths, resolutions or other values.",
               epilog="example: symcnn sweep resnet50 mobilenet_v2 vgg16 --resolution r=96:384:32 --plot cost.png")
    p.add_argument("arch", nargs="+", help="networks: notation, .cnn files or built-in model names")
    p.add_argument("--width", metavar="[NAME=]GRID", help="a width multiplier on the channels, e.g. w=0.25:2:0.25")
    p.add_argument("--resolution", metavar="[NAME=]GRID", help="input sizes NAME x NAME, e.g. r=128:320:32")
    p.add_argument("--set", metavar="NAME=GRID", action="append", default=[],
                   help="a network's own name: one value, or a grid to sweep (repeatable)")
    add_input_arguments(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="print CSV with every total")
    out.add_argument("--plot", metavar="FILE", help="draw params and MACs against the swept value (needs matplotlib)")
    return p


def run(argv: list[str]) -> str:
    """``symcnn sweep MODEL... --width w=0.25:2:0.25 [--resolution r=128:320:32] [--csv | --plot FILE]``."""
    args = _arguments().parse_args(argv)
    axes: dict[str, tuple[Rational, ...]] = {}
    width = resolution = None
    if args.width is not None:
        width, spec = _axis(args.width, "w")
        axes[width] = grid(spec)
    if args.resolution is not None:
        resolution, spec = _axis(args.resolution, "r")
        axes[resolution] = grid(spec)
    given = [_axis(item, "") for item in args.set]
    if any(not name for name, _ in given):
        raise SymcnnError("--set takes NAME=VALUE or NAME=GRID, e.g. --set a=0.25,0.5,0.75,1")
    sweeps = []
    known: set[str] = set()
    for arch in progress(args.arch, len(args.arch), "sweep"):
        network = public(prepared(load_arch(arch), args.at, width, resolution, args.round_channels))
        known |= set(network.names)
        # a name applies to the networks that have it (mobilenet_v1's a, not vgg16)
        own = {name: grid(spec) for name, spec in given if name in network.names}
        # a swept name keeps no default (mobilenet_v1's `let a = 1`): it stays a name in the formulas
        network = dataclasses.replace(network, defaults=tuple(
            (n, v) for n, v in network.defaults if not (n in own and len(own[n]) > 1)))
        analysis = network.analyze(dtype=args.dtype)
        fixed = {name: values[0] for name, values in own.items() if len(values) == 1}
        if fixed:
            analysis = analysis.at(**fixed)
        swept = {**axes, **{name: values for name, values in own.items() if len(values) > 1}}
        sweeps.append(sweep(analysis, swept, label=arch))
    unused = sorted({name for name, _ in given} - known)
    if unused:
        raise SymcnnError(f"none of these networks has a name '{unused[0]}' to give a value to")
    if args.plot:
        from ..formats.plot import plot

        fmt = plot(sweeps, args.plot)
        return f"wrote {args.plot} ({fmt})"
    count, parts = sweep_parts(sweeps, csv=args.csv)
    return "\n".join(progress(parts, count, "table"))
