"""Built-in models: the members of :mod:`symcnn.catalog`, each a file under ``examples/`` with its numbers."""

from __future__ import annotations

import dataclasses

from . import catalog
from .errors import SymcnnError
from .network import Network
from .resources import data_dir
from .syntax import exact, layer_kind, parse
from .values import Apply


def names() -> list[str]:
    """The names of the built-in models, sorted."""
    return sorted(catalog.BY_NAME)


def listing() -> str:
    """One line per built-in model: its name, reference resolution, family file and description.

    >>> listing().splitlines()[0].split()[:3]
    ['alexnet', '224x224x3', 'alexnet.cnn']
    """
    members = [catalog.BY_NAME[name] for name in names()]
    width = max(len(m.name) for m in members)
    return "\n".join(f"{m.name:<{width}}  {m.size}x{m.size}x{m.channels:<3} {m.file + '.cnn':<24} {m.description}"
                     for m in members)


def member(name: str) -> catalog.Member:
    found = catalog.BY_NAME.get(name)
    if found is None:
        raise SymcnnError(f"no built-in model '{name}'", hint="symcnn --list shows them")
    return found


def source(name: str) -> str:
    """The text of a built-in model's file (a family's file holds every member of the family)."""
    return (data_dir("examples") / f"{member(name).file}.cnn").read_text(encoding="utf-8")


def load(name: str) -> Network:
    """A built-in model: its file with its member's numbers.

    >>> load("vgg16").input
    (Name(name='H'), Name(name='W'), 3)
    """
    found = member(name)
    network = parse(source(name))
    if not found.values:
        return network
    unknown = sorted(set(found.values) - {n for n, _ in network.defaults})
    if unknown:
        raise AssertionError(f"{found.file}.cnn has no let line for {unknown[0]}, which {name} sets")
    given = {key: _value(value, network) for key, value in found.values.items()}
    return dataclasses.replace(network, defaults=tuple((n, given.get(n, v)) for n, v in network.defaults))


def _value(value: object, network: Network) -> object:
    """A member's number (an int, or a string read exactly: "27.89"), or the name of a block of the file."""
    if isinstance(value, str) and (value in {d.name for d in network.definitions} or layer_kind(value)):
        return Apply(value, ())
    return exact(value, "a member's value")
