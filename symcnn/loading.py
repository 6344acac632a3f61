"""An architecture as the user names it: a built-in model, a ``.cnn`` file, or notation text."""

from __future__ import annotations

import re
from pathlib import Path

from . import zoo
from .errors import SymcnnError
from .network import Network
from .syntax import layer_kind, parse

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def load_arch(arch: str) -> Network:
    """A path to a .cnn file, a built-in model name, or notation text.

    A single word that is neither a layer nor close to nothing is read as notation (so that
    ``relu`` is a network of one layer); a word close to a built-in model's name is taken
    for a misspelt model.

    >>> load_arch("vgg16").input, load_arch("conv3-8").input
    ((Name(name='H'), Name(name='W'), 3), (Name(name='H'), Name(name='W'), Name(name='C')))
    """
    path = as_path(arch)
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
    if IDENTIFIER.fullmatch(arch) and layer_kind(arch) is None and any(c.isdigit() for c in arch):
        import difflib

        close = difflib.get_close_matches(arch.lower(), zoo.names(), n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}?" if close else "symcnn --list shows them"
        raise SymcnnError(f"no built-in model '{arch}'", hint=hint)
    return parse(arch)


def as_path(arch: str) -> Path | None:
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


def display_name(arch: str) -> str | None:
    """What to call the network in a caption: a built-in model's name or a file's stem, else nothing."""
    path = as_path(arch)
    if path is not None:
        return path.stem
    return arch if arch in zoo.names() else None
