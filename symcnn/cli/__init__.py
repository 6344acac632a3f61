"""The ``symcnn`` command: parse, analyse, render; exit 2 with one clear message on bad input."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import TYPE_CHECKING

from .. import zoo
from ..api import Analysis, public
from ..constants import DTYPE_BYTES
from ..errors import SymcnnError
from ..formats import Report, render
from ..loading import display_name, load_arch
from ..network import Network
from ..tree import shape_text
from .common import assignments

if TYPE_CHECKING:
    from ..memory import Memory

# The memory model's choices, written here so that a run without memory options does not load it
# (tests/test_cli.py checks them against symcnn.memory).
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
AMP_DTYPES = ("fp16", "bf16")
DEVICES = ("cuda", "cpu")

EPILOG = """examples:
  symcnn vgg16 --at 224x224x3
  symcnn "conv3-64 x2, pool2, conv3-128 x2, pool2, fc-4096, fc-K" --at 224x224x3 --set K=1000
  symcnn vgg16 --formula
  symcnn my_network.cnn --json            (or - to read the notation from standard input)
  symcnn --from-torch torchvision.models:resnet50 --at 224x224x3
  symcnn model.onnx --emit-notation

subcommands (symcnn SUBCOMMAND --help for each):
  symcnn solve vgg16 --width w "params <= 10e6"                      the largest width within a budget
  symcnn sweep resnet50 --resolution r=128:320:32                    totals on a grid of values
  symcnn compare vgg16 resnet50 mobilenet_v2 --at 224x224x3          totals side by side
  symcnn serve                                                       the playground in the browser (127.0.0.1)
"""

SUBCOMMANDS: dict[str, str] = {"solve": "symcnn.cli.solve", "sweep": "symcnn.cli.sweep",
                               "compare": "symcnn.cli.compare", "serve": "symcnn.cli.serve"}
"""Subcommand name -> module whose ``run(argv) -> str`` handles it (``symcnn solve ...``)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"symcnn: error: {message}\n")


def _arguments() -> argparse.ArgumentParser:
    p = _Parser(prog="symcnn", description="Exact parameter, memory and operation counts of a network, "
                "as formulas in its input size and as integers.", epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", nargs="?", help="a network in the notation, a .cnn file, or a built-in model name")
    p.add_argument("--at", metavar="HxWxC", help="input size, e.g. 224x224x3 (default: the network's own input)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="give a name a value (repeatable)")
    p.add_argument("--dtype", choices=sorted(DTYPE_BYTES), default="fp32", help="element type for bytes (default fp32)")
    p.add_argument("--divisible", type=int, metavar="N",
                   help="assume the input height and width are multiples of N (clean polynomial formulas)")
    p.add_argument("--batch", metavar="N", default="1",
                   help="batch size, multiplying activations, MACs and memory: a number, or a name such as N "
                        "that stays in the formulas (default 1)")
    group = p.add_argument_group("memory (inference peak and training memory)")
    group.add_argument("--memory", action="store_true", help="add the memory section")
    group.add_argument("--optimizer", choices=OPTIMIZERS,
                       help="optimizer state: sgd none, momentum 1 copy of the parameters, adam and adamw 2 and a "
                            "step counter per tensor (default adam; implies --memory)")
    group.add_argument("--amp", choices=AMP_DTYPES,
                       help="mixed precision: activations in this type, fp32 master weights (implies --memory)")
    group.add_argument("--device", choices=DEVICES,
                       help="where training runs: the dropout mask and the BatchNorm statistics differ "
                            "(default cuda; implies --memory)")
    p.add_argument("--width", metavar="W", help="multiply every channel count (but the classifier's) by W, "
                   "a name such as w or a number such as 0.75")
    p.add_argument("--resolution", metavar="R", help="input R x R (a name such as r, or a number)")
    p.add_argument("--round-channels", type=int, metavar="D", help="round each scaled channel count as "
                   "MobileNets do (torchvision's _make_divisible(c*W, D))")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--markdown", action="store_true", help="print a Markdown table")
    out.add_argument("--formula", action="store_true", help="print the totals as closed forms")
    out.add_argument("--csv", action="store_true", help="print every row as CSV, then the totals and conventions")
    p.add_argument("--formulas", action="store_true", help="--json: also the closed forms (at concrete sizes)")
    paper = p.add_argument_group("LaTeX for papers")
    paper.add_argument("--latex", action="store_true", help="print a booktabs table (a LaTeX fragment)")
    paper.add_argument("--derive", action="store_true", help="print the derivation of every cost (LaTeX align*)")
    paper.add_argument("--latex-document", "--standalone", dest="standalone", action="store_true",
                       help="a complete document that compiles with pdflatex (the table and the derivation "
                            "unless --latex or --derive picks one)")
    paper.add_argument("--siunitx", action="store_true", help=r"numbers as \num{...} (siunitx) in the LaTeX")
    paper.add_argument("--symbol", metavar="NAME=LATEX", action="append", default=[],
                       help=r"write a name as this LaTeX, e.g. --symbol a='\alpha' (repeatable)")
    p.add_argument("--expand", action="store_true",
                   help="LaTeX and Markdown tables: one row per layer instance, repeated blocks not collapsed")
    p.add_argument("--depth", type=int, metavar="N", help="text table: fold the blocks nested N deep (0: every "
                   "res, concat, mul, split and side block) into one line each, with their summed costs")
    p.add_argument("--compact", action="store_true", help="text table: leave out the in-place rows (activations, "
                   "dropout, flatten), which cost nothing")
    p.add_argument("--units", action="store_true", help="text table: numbers in k, M, G and KiB, MiB, GiB "
                   "(rounded; the exact totals beside them)")
    p.add_argument("--percent", action="store_true", help="text table: each row's share of the params and MACs")
    others = p.add_argument_group("other tools' numbers (conventions: see the README)")
    others.add_argument("--as", dest="as_tool", metavar="TOOL",
                        help="the figure TOOL prints for this network, per layer and in total, and what makes it "
                             "differ from symcnn's: ptflops, ptflops-aten, thop, fvcore, torchinfo, flop_counter, "
                             "torchvision, deepspeed, deepspeed-macs, keras; all: one row per tool")
    others.add_argument("--explain", metavar="NUMBER",
                        help="which tool's convention gives NUMBER (as precise as it is written: 4.11e9, 4.11G, "
                             "4,111,512,576), or the closest one")
    p.add_argument("--list", action="store_true", help="list the built-in models (name, reference resolution, file, description) and exit")
    imports = p.add_argument_group("your own model (PyTorch or ONNX; ARCH may also be a .onnx file)")
    imports.add_argument("--from-torch", metavar="MODULE:CALLABLE",
                         help="import MODULE and call CALLABLE for the model, e.g. torchvision.models:resnet50 "
                              "(this runs that code: only with this flag, never from ARCH)")
    imports.add_argument("--kwargs", metavar="JSON", help="--from-torch: keyword arguments for CALLABLE as a JSON "
                         "object, e.g. '{\"width_mult\": 0.75}'")
    imports.add_argument("--emit-notation", action="store_true", help="print the model in the notation and exit")
    imports.add_argument("--allow-uncounted", action="store_true",
                         help="go on past operations symcnn cannot count (each output then names them)")
    return p


def _wants_memory(args: argparse.Namespace) -> bool:
    """Whether the options ask for the memory section (--memory, or any of its settings)."""
    return bool(args.memory or args.optimizer or args.amp or args.device)


def _memory(analysis: Analysis, args: argparse.Namespace) -> Memory | None:
    """The memory the options ask for, or None when they ask for none."""
    if not _wants_memory(args):
        return None
    from ..memory import memory

    return memory(analysis, args.optimizer or "adam", args.amp, args.device or "cuda")


def _check_bound(analysis: Analysis, args: argparse.Namespace) -> None:
    """Numbers were asked for (--at, and a table of numbers): a name left without a value is an error, not a formula.

    Names the user brought in on purpose (--width w, --resolution r, --batch N) may stay.
    """
    chosen = {value for value in (args.width, args.resolution, args.batch) if value and value.isidentifier()}
    left = [name for name in analysis.unbound if name not in chosen]
    if left:
        names = ", ".join(left)
        raise SymcnnError(f"{names} {'has' if len(left) == 1 else 'have'} no value at {args.at}: the numbers asked for "
                          "would still be formulas", hint=f"give {'it' if len(left) == 1 else 'them'} a value with "
                          f"--set {left[0]}=..., or use --formula (or --latex, --derive) for formulas in "
                          f"{'it' if len(left) == 1 else 'them'}")


def _network(args: argparse.Namespace) -> Network:
    """The network ARCH names, or the PyTorch model --from-torch builds, or the ONNX file ARCH is."""
    if args.from_torch is not None:
        if args.arch is not None:
            raise SymcnnError(f"give either a network ({args.arch}) or --from-torch, not both")
        from .imports import torch_model

        return torch_model(args.from_torch, args.kwargs, args.at, args.allow_uncounted)
    if args.kwargs is not None:
        raise SymcnnError("--kwargs applies to --from-torch")
    if args.arch.endswith(".onnx"):
        from .imports import onnx_model

        return onnx_model(args.arch, args.at, args.allow_uncounted)
    if args.allow_uncounted:
        raise SymcnnError("--allow-uncounted applies to imported models (--from-torch, a .onnx file)")
    return load_arch(args.arch)


def _terminal_width() -> int | None:
    """The terminal's columns when the table goes to one (or COLUMNS says), else None: a file gets every formula."""
    import os
    import shutil

    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return max(40, shutil.get_terminal_size().columns)
    return None


def _check_flags(args: argparse.Namespace) -> None:
    """Flags that would otherwise be ignored, or override each other without a word."""
    if args.resolution is not None and args.at is not None:
        raise SymcnnError("--resolution and --at both set the input size: give one")
    if args.at is not None and args.divisible is not None:
        raise SymcnnError("--divisible assumes the height and width are multiples of a number; --at gives them "
                          "values: give one")
    symbolic_width = args.width is not None and args.width.isidentifier()
    if _wants_memory(args) and args.round_channels is not None and symbolic_width:
        # Rounded channels are piecewise in the width: the memory peak over them ran for minutes (densenet121).
        raise SymcnnError(f"the memory model needs a number for the width where channels are rounded "
                          f"(--round-channels makes every count a piecewise function of {args.width})",
                          hint=f"give --width a number (--width 0.5), or sweep it: symcnn sweep ARCH --width "
                               f"{args.width}=0.25:1:0.25 --round-channels {args.round_channels}")
    if (args.depth is not None or args.compact or args.units or args.percent) and (
            args.json or args.markdown or args.csv or args.formula or args.latex or args.derive or args.standalone):
        raise SymcnnError("--depth, --compact, --units and --percent shape the text table; the other outputs have "
                          "every row and exact numbers")
    if args.depth is not None and args.depth < 0:
        raise SymcnnError(f"--depth {args.depth}: give 0 or more (0 folds every block)")
    if args.expand and not (args.latex or args.derive or args.standalone or args.markdown):
        raise SymcnnError("--expand applies to the LaTeX and Markdown tables (--latex, --derive, "
                          "--latex-document, --markdown); the text table always shows every instance")


def _other_tools(analysis: Analysis, args: argparse.Namespace) -> str:
    """``--as TOOL``, ``--as all`` and ``--explain NUMBER``."""
    from ..conventions import as_tool, every_tool, explain
    from ..formats import conventions as shown

    others = [flag for flag in ("markdown", "csv", "formula", "latex", "derive", "standalone", "memory", "formulas")
              if getattr(args, flag)]
    if others or args.optimizer or args.amp or args.device:
        raise SymcnnError("--as and --explain print their own table (or --json with --as): they do not combine with "
                          f"--{(others or ['memory'])[0].replace('standalone', 'latex-document')}")
    if args.as_tool is not None and args.explain is not None:
        raise SymcnnError("give --as or --explain, not both")
    name = f"{_name(args)} at {shape_text(analysis.input)}" if analysis.batch_size == 1 else \
        f"{_name(args)} at {shape_text(analysis.input)}, batch {analysis.batch_size}"
    if args.explain is not None:
        if args.json:
            raise SymcnnError("--explain prints text; --json applies to --as")
        found, closest = explain(analysis, args.explain)
        return shown.explained(args.explain, found, closest, name)
    if args.as_tool == "all":
        if args.json:
            return json.dumps([shown.as_json(c) for c in every_tool(analysis)], indent=2)
        text = shown.every(every_tool(analysis), name, analysis.totals["macs"])
    else:
        counted = as_tool(analysis, args.as_tool)
        if args.json:
            return json.dumps(shown.as_json(counted), indent=2)
        text = shown.tool(counted, name)
    if analysis.side_totals is not None:
        text += ("\nnote: side outputs (auxiliary heads) are not counted: a tool sees them only where the model runs "
                 "them in inference")
    return text


def _name(args: argparse.Namespace) -> str:
    """What the outputs call the network: the model's builder for --from-torch, else the ARCH given."""
    return args.from_torch if args.arch is None else display_name(args.arch)


def run(argv: list[str]) -> str:
    """The text the command prints for these arguments (raises SymcnnError on bad input)."""
    if argv and argv[0] in SUBCOMMANDS:
        return importlib.import_module(SUBCOMMANDS[argv[0]]).run(argv[1:])  # type: ignore[no-any-return]
    args = _arguments().parse_args(argv)
    if args.list:
        return zoo.listing()
    if args.arch is None and args.from_torch is None:
        raise SymcnnError("give a network: notation text, a .cnn file or a built-in model (symcnn --list)")
    values = assignments(args.set)
    _check_flags(args)
    network = _network(args)
    if args.emit_notation:
        return network.text.rstrip("\n")
    if args.width is not None or args.resolution is not None or args.round_channels is not None:
        from ..scaling import scaled

        network = scaled(network, args.width, args.resolution, args.round_channels)
    if args.divisible is not None and all(isinstance(d, int) for d in network.input[:2]) and args.at is None:
        raise SymcnnError(f"--divisible {args.divisible} does nothing here: the network's input is "
                          f"{network.input[0]}x{network.input[1]}, with no names for its height and width")
    analysis: Analysis = public(network).analyze(dtype=args.dtype, divisible=args.divisible, batch=args.batch)
    if values or args.at:
        analysis = analysis.at(args.at, **values)
    if args.at and not (args.formula or args.latex or args.derive or args.standalone):
        _check_bound(analysis, args)
    if args.as_tool is not None or args.explain is not None:
        return _other_tools(analysis, args)
    mem = _memory(analysis, args)
    latex = args.latex or args.derive or args.standalone
    if mem is not None and (latex or args.csv):
        raise SymcnnError("the memory section is in the text, --json, --markdown and --formula outputs only")
    if latex and (args.json or args.markdown or args.formula or args.csv):
        raise SymcnnError("--latex, --derive and --latex-document do not combine with --json, --markdown, "
                          "--formula or --csv")
    if not latex and (args.siunitx or args.symbol):
        raise SymcnnError("--siunitx and --symbol apply to --latex, --derive and --latex-document")
    if args.formulas and not args.json:
        raise SymcnnError("--formulas applies to --json (the other outputs show formulas where names are left)")
    report = Report(analysis, mem, expand=args.expand, name=_name(args), formulas=args.formulas,
                    width=_terminal_width(), depth=args.depth, compact=args.compact, units=args.units,
                    percent=args.percent)
    if latex:
        from ..formats.tex import symbol_option

        both = args.standalone and not (args.latex or args.derive)
        report = Report(analysis, None, expand=args.expand, name=_name(args), siunitx=args.siunitx,
                        symbols=dict(symbol_option(item) for item in args.symbol), table=args.latex or both,
                        derive=args.derive or both, standalone=args.standalone)
        return render("latex", report)
    name = next((flag for flag in ("json", "markdown", "csv", "formula") if getattr(args, flag)), "text")
    return render(name, report)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    try:
        output = run(sys.argv[1:] if argv is None else argv)
    except SymcnnError as error:
        print(f"symcnn: {error}", file=sys.stderr)
        return 2
    except RecursionError:
        print("symcnn: limit: the input nests too deeply", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130  # the shell's code for a run stopped by Ctrl-C
    except Exception as error:  # noqa: BLE001 - a bug of ours: one line, no traceback, its own exit code
        print(f"symcnn: internal error ({type(error).__name__}: {error}); please report it with the command line",
              file=sys.stderr)
        return 1
    if sys.stdout is None:  # started with standard output closed (symcnn ... >&-)
        print("symcnn: there is no standard output to write to", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(output + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe (symcnn ... | head -1): it has what it wanted, and the
        # output was complete, so this is a success, as for ripgrep; only the rest of the
        # output, which nobody reads, is dropped (into /dev/null, so that the flush at exit
        # cannot fail again).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except UnicodeEncodeError as error:
        print(f"symcnn: the output encoding ({error.encoding}) cannot show {error.object[error.start:error.end]!a}; "
              "use a UTF-8 terminal or set PYTHONIOENCODING=utf-8", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"symcnn: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0
