"""What the subcommands share: an argument parser whose errors are SymcnnErrors, and loading a model at an input."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from ..constants import DTYPE_BYTES
from ..errors import SymcnnError
from ..network import Network
from ..scaling import fixed_input, scaled, with_input
from ..syntax import parse_assignment, parse_dims


T = TypeVar("T")


def progress(items: Iterable[T], total: int, what: str) -> Iterator[T]:
    """``items``, with a progress bar on stderr once they have run for a second, when stderr is a terminal.

    tqdm draws it (``delay=1``: nothing for quick runs); a pipe, a file or CI gets nothing.
    """
    if not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=what, delay=1, leave=False, file=sys.stderr, unit="")


@contextlib.contextmanager
def steps(total: int, what: str) -> Iterator[Callable[[str], None]]:
    """A progress bar over ``total`` named steps (``step("tracing")`` starts the next), on a terminal's stderr.

    Drawn at once, not after a second: each step is one long call that cannot report on its own.
    """
    if not sys.stderr.isatty():
        yield lambda name: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=what, leave=False, file=sys.stderr, unit="step") as bar:
        def step(name: str) -> None:
            if bar.postfix:
                bar.update(1)
            bar.set_postfix_str(name)

        yield step


def assignments(items: list[str]) -> dict[str, object]:
    """The --set values; a name given twice is an error (which one was meant?)."""
    values: dict[str, object] = {}
    for item in items:
        name, value = parse_assignment(item)
        if name in values:
            raise SymcnnError(f"--set gives {name} twice", hint=f"give {name} one value")
        values[name] = value
    return values


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are SymcnnErrors (exit 2 with one message, no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SymcnnError(f"{self.prog}: {message}", hint=f"{self.prog} --help")


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--at``, ``--dtype`` and ``--round-channels``."""
    parser.add_argument("--at", metavar="HxWxC", help="input size (default: the network's own, with 224x224x3 "
                        "for any size it leaves open)")
    parser.add_argument("--dtype", choices=sorted(DTYPE_BYTES), default="fp32", help="element type for bytes")
    parser.add_argument("--round-channels", type=int, metavar="D",
                        help="round scaled channel counts as MobileNets do: torchvision's _make_divisible(c*w, D)")


def prepared(network: Network, at: str | None = None, width: str | None = None, resolution: str | None = None,
             round_channels: int | None = None) -> Network:
    """The network at ``at`` (or its own input), scaled, with every size still open set as in 224x224x3.

    >>> import symcnn
    >>> prepared(symcnn.load("vgg16"), width="w").input, prepared(symcnn.load("vgg16"), resolution="r").input
    ((224, 224, 3), (Name(name='r'), Name(name='r'), 3))
    """
    if at is not None:
        network = with_input(network, parse_dims(at))
    network = scaled(network, width, resolution, round_channels)
    keep = frozenset(d.name for d in network.input[:2] if hasattr(d, "name")) if resolution is not None else \
        frozenset()
    return with_input(network, fixed_input(network, keep))
