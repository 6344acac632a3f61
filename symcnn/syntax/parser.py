"""The Lark parser of ``grammar/symcnn.lark``, its tables cached in the user's cache folder."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import lark
from lark import Lark

from ..resources import data_dir

STARTS = ["start", "dims", "assignment", "number"]
OPTIONS: dict[str, Any] = {"parser": "lalr", "start": STARTS, "maybe_placeholders": True}


def cache_dir() -> Path | None:
    """Where the built parser is kept between runs: the user's own cache folder (None: no home)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "symcnn" if os.path.isabs(base) else None


class _PlainUnpickler(pickle.Unpickler):
    """Loads plain data only (dicts, lists, tuples, strings, numbers): a cache file can name no class or function."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _grammar() -> str:
    return (data_dir("grammar") / "symcnn.lark").read_text(encoding="utf-8")


def _saved(folder: Path | None) -> dict[str, Any]:
    """The parser's tables as plain data: from ``folder`` when a cache of this grammar is there; else built
    (0.2 s) and saved there.

    Building the LALR tables is most of the start-up time of a small run, so they are cached
    like Lark's own ``cache=True``, but not in the shared temporary folder, where another user
    could plant the file, and read with an unpickler that accepts plain data only. A cache that
    cannot be read or written (a read-only home, a damaged file) is ignored.
    """
    grammar = _grammar()
    key = hashlib.sha256(f"{grammar}{OPTIONS}{lark.__version__}{sys.version_info[:2]}".encode()).hexdigest()
    path = folder / f"parser-{key[:32]}.pickle" if folder is not None else None
    if path is not None:
        try:
            with path.open("rb") as file:
                data = _PlainUnpickler(file).load()
            if isinstance(data, dict) and "data" in data and "memo" in data:
                return data
        except Exception:  # noqa: BLE001 - a missing or damaged cache only means building the parser
            pass
    parser = Lark(grammar, **OPTIONS)
    data, memo = parser.memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
    saved = {"data": data, "memo": memo}
    if path is not None:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
                pickle.dump(saved, temporary)
            os.replace(temporary.name, path)  # atomic: a concurrent run reads the old file or the new one
        except OSError:
            pass
    return saved


def load_parser(folder: Path | None, transformer: Any = None) -> Lark:
    """The LALR parser (building trees, or calling ``transformer`` as it parses), from the cache in ``folder``."""
    return Lark.__new__(Lark)._load(_saved(folder), **({"transformer": transformer} if transformer else {}))


@cache
def tree_parser() -> Lark:
    """The parser that builds parse trees: for matching the examples of :mod:`symcnn.syntax.hints`."""
    return load_parser(cache_dir())
