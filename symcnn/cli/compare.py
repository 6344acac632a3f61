"""``symcnn compare``: the totals of several networks side by side, one column each."""

from __future__ import annotations

import argparse

from ..api import public
from ..errors import SymcnnError
from ..formats.tables import compare
from ..loading import load_arch
from .common import Parser, add_input_arguments, assignments, prepared


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
    args = _arguments().parse_args(argv)
    values = assignments(args.set)
    analyses = []
    for arch in args.arch:
        network = public(prepared(load_arch(arch), args.at, args.width, args.resolution, args.round_channels))
        analysis = network.analyze(dtype=args.dtype)
        given = {name: value for name, value in values.items() if name in network.names}
        analyses.append(analysis.at(**given) if given else analysis)
    unused = sorted(set(values) - {name for a in analyses for name in a.values})
    if unused:
        raise SymcnnError(f"none of these networks has a name '{unused[0]}' to give a value to")
    return compare(analyses, args.arch)
