"""The ``symcnn`` command: parse, analyse, render; exit 2 with one clear message on bad input."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from . import memory, scaling, zoo
from .analysis import DTYPE_BYTES, Analysis
from .errors import SymcnnError
from .network import Network
from .syntax import parse, parse_assignment

EPILOG = """examples:
  symcnn vgg16 --at 224x224x3
  symcnn "conv3-64 x2, pool2, conv3-128 x2, pool2, fc-4096, fc-K" --at 224x224x3 --set K=1000
  symcnn vgg16 --formula
  symcnn examples/vgg16.cnn --json
"""


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
    memory.add_arguments(p)
    scaling.add_arguments(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--markdown", action="store_true", help="print a Markdown table")
    out.add_argument("--formula", action="store_true", help="print the totals as closed forms")
    out.add_argument("--csv", action="store_true", help="print every row as CSV, then the totals and conventions")
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
    p.add_argument("--list", action="store_true", help="list the built-in models and exit")
    return p


def load_arch(arch: str) -> Network:
    """A path to a .cnn file, a built-in model name, or notation text."""
    path = _as_path(arch)
    if path is not None:
        try:
            return parse(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SymcnnError(f"no such file: {arch}") from None
        except UnicodeDecodeError:
            raise SymcnnError(f"cannot read {arch}: it is not UTF-8 text") from None
        except OSError as error:
            raise SymcnnError(f"cannot read {arch}: {error.strerror}") from None
    if arch in zoo.names():
        return zoo.load(arch)
    if re.fullmatch(r"[a-z]+[a-z0-9_]*\d[a-z0-9_]*", arch) and not re.match(
            r"(?i)(dw|de)?conv|fc|pool|avgpool|maxpool|apool|upsample", arch):
        raise SymcnnError(f"no built-in model '{arch}'; the built-in models are {', '.join(zoo.names())}")
    return parse(arch)


def _as_path(arch: str) -> Path | None:
    """The file ARCH names, if it names one (or ends in .cnn); None for notation text."""
    if "\n" in arch or "\0" in arch or len(arch) > 1024:
        return None
    path = Path(arch)
    try:
        if path.is_dir():
            raise SymcnnError(f"{arch} is a directory; give a .cnn file, a built-in model or notation text")
        return path if path.is_file() or path.suffix == ".cnn" else None
    except OSError:
        return None


SUBCOMMANDS: dict[str, str] = {"solve": "symcnn.solve", "sweep": "symcnn.sweep", "compare": "symcnn.compare"}
"""Subcommand name -> module whose ``run(argv) -> str`` handles it (``symcnn solve ...``)."""


def run(argv: list[str]) -> str:
    """The text the command prints for these arguments (raises SymcnnError on bad input)."""
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        return importlib.import_module(SUBCOMMANDS[argv[0]]).run(argv[1:])  # type: ignore[no-any-return]
    args = _arguments().parse_args(argv)
    if args.list:
        return "\n".join(zoo.names())
    if args.arch is None:
        raise SymcnnError("give a network: notation text, a .cnn file or a built-in model (symcnn --list)")
    values = dict(parse_assignment(item) for item in args.set)
    network = scaling.from_arguments(load_arch(args.arch), args)
    analysis: Analysis = network.analyze(dtype=args.dtype, divisible=args.divisible, batch=args.batch)
    if values or args.at:
        analysis = analysis.at(args.at, **values)
    mem = memory.from_arguments(analysis, args)
    if mem is not None and (args.latex or args.derive or args.standalone or args.csv):
        raise SymcnnError("the memory section is in the text, --json, --markdown and --formula outputs only")
    if args.latex or args.derive or args.standalone:
        if args.json or args.markdown or args.formula or args.csv:
            raise SymcnnError("--latex, --derive and --latex-document do not combine with --json, --markdown, "
                              "--formula or --csv")
        from .formats import latex, tex

        both = args.standalone and not (args.latex or args.derive)
        return latex.render(analysis, table=args.latex or both, derive=args.derive or both,
                            standalone=args.standalone, siunitx=args.siunitx, expand=args.expand,
                            symbols=dict(tex.symbol_option(item) for item in args.symbol), name=_name(args.arch))
    if args.siunitx or args.symbol:
        raise SymcnnError("--siunitx and --symbol apply to --latex, --derive and --latex-document")
    # Only the renderer in use is imported: start-up time is most of a run.
    if args.json:
        from .formats import json

        return json.render(analysis, mem)
    if args.markdown:
        from .formats import markdown

        return markdown.render(analysis, args.expand, mem)
    if args.csv:
        from .formats import csv

        return csv.render(analysis)
    if args.formula:
        from .formats import formula

        return formula.render(analysis, mem)
    from .formats import text

    return text.render(analysis, mem)


def _name(arch: str) -> str | None:
    """What to call the network in a caption: a built-in model's name or a file's stem, else nothing."""
    path = _as_path(arch)
    if path is not None:
        return path.stem
    return arch if arch in zoo.names() else None


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


if __name__ == "__main__":
    sys.exit(main())
