"""``symcnn solve``: how wide (or how large an input, or how deep) a network can be within a budget."""

from __future__ import annotations

import argparse

from sympy import Rational

from .. import arith
from ..api import public
from ..constraints import parse_constraints
from ..loading import display_name, load_arch
from ..solve import solve
from ..errors import SymcnnError
from ..syntax import parse_value
from .common import Parser, add_input_arguments, assignments, prepared


def _arguments() -> argparse.ArgumentParser:
    p = Parser(prog="symcnn solve", description="The largest width, input size or depth within a budget.",
               epilog='example: symcnn solve vgg16 --width w "params <= 10e6"')
    p.add_argument("arch", help="a network in the notation, a .cnn file, or a built-in model name")
    p.add_argument("constraint", nargs="+", help='the budget: "params <= 10e6 and macs <= 1e9"')
    p.add_argument("--width", metavar="NAME", help="solve for a width multiplier NAME on every channel count")
    p.add_argument("--resolution", metavar="NAME", help="solve for the input size NAME x NAME")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="give a name a value")
    p.add_argument("--step", metavar="S", help="rounded widths: search w = S, 2S, 3S, ... (default 0.01)")
    add_input_arguments(p)
    return p


def run(argv: list[str]) -> str:
    """``symcnn solve MODEL [--width w | --resolution r] "params <= 10e6"``."""
    args = _arguments().parse_args(argv)
    constraints = tuple(dict.fromkeys(parse_constraints(" ".join(args.constraint))))  # a bound written twice is one
    source = load_arch(args.arch)
    # A network that rounds its own widths (a `width` line), or widths rounded with --round-channels, has
    # no closed form: search its grid, each value analysed. Unrounded, the totals are solved exactly.
    rounded = args.width is not None and (source.width is not None or args.round_channels is not None)
    network = public(prepared(source, args.at, args.width, args.resolution,
                              args.round_channels if rounded else None))
    values = assignments(args.set)
    analysis = network.analyze(dtype=args.dtype)
    if values:
        analysis = analysis.at(**values)
    step = parse_value(args.step, "the step") if args.step else Rational(1, 100)
    if args.step and not rounded:
        raise SymcnnError("--step applies to widths that are rounded (a network with its own width rule, or "
                          "--round-channels): otherwise the whole-number steps are found exactly")
    solution = solve(analysis, constraints, args.round_channels or 1,
                     search=(network.width or args.width, Rational(step)) if rounded else None)
    scaling = "" if not args.width else f", its own width multiplier {args.width}" if source.width else \
        f", every channel count but the classifier's times {args.width}" + (
            f", rounded to multiples of {args.round_channels}" if args.round_channels else "")
    head = f"{display_name(args.arch) or 'the network'} at {arith.shape(network.input)}{scaling}"
    return f"{head}: {' and '.join(map(str, constraints))}\n" + solution.render()
