"""``symcnn solve``: how wide (or how large an input, or how deep) a network can be within a budget."""

from __future__ import annotations

import argparse

from .. import arith
from ..api import public
from ..constraints import parse_constraints
from ..loading import load_arch
from ..solve import solve
from ..syntax import parse_assignment
from .common import Parser, add_input_arguments, prepared


def _arguments() -> argparse.ArgumentParser:
    p = Parser(prog="symcnn solve", description="The largest width, input size or depth within a budget.",
               epilog='example: symcnn solve vgg16 --width w "params <= 10e6"')
    p.add_argument("arch", help="a network in the notation, a .cnn file, or a built-in model name")
    p.add_argument("constraint", nargs="+", help='the budget: "params <= 10e6 and macs <= 1e9"')
    p.add_argument("--width", metavar="NAME", help="solve for a width multiplier NAME on every channel count")
    p.add_argument("--resolution", metavar="NAME", help="solve for the input size NAME x NAME")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="give a name a value")
    add_input_arguments(p)
    return p


def run(argv: list[str]) -> str:
    """``symcnn solve MODEL [--width w | --resolution r] "params <= 10e6"``."""
    args = _arguments().parse_args(argv)
    constraints = parse_constraints(" ".join(args.constraint))
    # Rounding changes nothing where every count is already a multiple of D: search there, unrounded.
    network = public(prepared(load_arch(args.arch), args.at, args.width, args.resolution))
    values = dict(parse_assignment(item) for item in args.set)
    analysis = network.analyze(dtype=args.dtype)
    if values:
        analysis = analysis.at(**values)
    solution = solve(analysis, constraints, args.round_channels or 1)
    scaling = f", every channel count but the classifier's times {args.width}" if args.width else ""
    head = f"{args.arch} at {arith.shape(analysis.input)}{scaling}"
    return f"{head}: {' and '.join(map(str, constraints))}\n" + solution.render()
