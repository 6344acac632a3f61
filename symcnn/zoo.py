"""Built-in models: the ``.cnn`` files under ``examples/``, found by name."""

from __future__ import annotations

from .errors import SymcnnError
from .network import Network
from .resources import data_dir
from .syntax import parse


def names() -> list[str]:
    """The names of the built-in models, sorted."""
    return sorted(path.stem for path in data_dir("examples").glob("*.cnn"))


def source(name: str) -> str:
    """The text of a built-in model."""
    path = data_dir("examples") / f"{name}.cnn"
    if not path.is_file():
        raise SymcnnError(f"no built-in model '{name}'; the built-in models are {', '.join(names())}")
    return path.read_text(encoding="utf-8")


def load(name: str) -> Network:
    """Parse a built-in model by name.

    >>> load("vgg16").input
    (Name(name='H'), Name(name='W'), 3)
    """
    return parse(source(name))
