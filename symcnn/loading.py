"""An architecture as the user names it: a built-in model, a ``.cnn`` file, or notation text."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import zoo
from .errors import SymcnnError
from .network import Network
from .syntax import layer_kind, parse

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def load_arch(arch: str) -> Network:
    """A path to a .cnn file, a built-in model name (any case), notation text, or ``-`` for standard input.

    A single word that is neither a layer nor close to nothing is read as notation (so that
    ``relu`` is a network of one layer); a word close to a built-in model's name is taken
    for a misspelt model.

    >>> load_arch("vgg16").input, load_arch("conv3-8").input
    ((Name(name='H'), Name(name='W'), 3), (Name(name='H'), Name(name='W'), Name(name='C')))
    """
    if arch == "-":
        return parse(_text(sys.stdin.read()))
    if not arch.strip():
        raise SymcnnError("the network is empty", hint="give notation text, a .cnn file, a built-in model (symcnn "
                          "--list) or - for standard input")
    path = as_path(arch)
    if path is not None:
        try:
            return parse(_text(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise SymcnnError(f"no such file: {arch}") from None
        except UnicodeDecodeError:
            raise SymcnnError(f"cannot read {arch}: it is not UTF-8 text") from None
        except OSError as error:
            raise SymcnnError(f"cannot read {arch}: {error.strerror}") from None
    if arch.lower() in zoo.names():  # model names are case-insensitive: VGG16 is vgg16
        return zoo.load(arch.lower())
    if IDENTIFIER.fullmatch(arch) and layer_kind(arch) is None and any(c.isdigit() for c in arch):
        raise SymcnnError(f"no built-in model '{arch}'", hint=_word_hint(arch))
    return parse(arch)


def _word_hint(word: str) -> str:
    """What a bare word with digits that is no model and no layer was likely meant to be."""
    import difflib

    repeat = re.fullmatch(r"(.+?)x(\d+)", word, re.I)
    if repeat and layer_kind(repeat.group(1)) is not None:
        return f"a repeat is written with a space: '{repeat.group(1)} x{repeat.group(2)}'"
    close = difflib.get_close_matches(word.lower(), zoo.names(), n=3, cutoff=0.6)
    return f"did you mean {' or '.join(close)}?" if close else "symcnn --list shows the built-in models"


def _text(text: str) -> str:
    """A file's text without the byte-order mark some editors put first."""
    return text[1:] if text.startswith("\ufeff") else text


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
    path = as_path(arch) if arch.strip() and arch != "-" else None
    if path is not None:
        return path.stem
    return arch.lower() if arch.lower() in zoo.names() else None
