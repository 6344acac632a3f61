"""Every layer kind of the notation, each in a module of its own, found through one registry.

Importing this package imports every module beside it (but :mod:`.base` and :mod:`.derive`,
which the kinds are made of), so a new kind is one new file: its module registers its words.

>>> from symcnn.layers import REGISTRY
>>> REGISTRY["conv"].__name__, REGISTRY["avgpool"].__name__
('Conv', 'Pool')
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import IMPORTS, REGISTRY, Cost, Layer, LayerProblem, Shape, Span
from .imported import Imported

__all__ = ["IMPORTS", "REGISTRY", "Cost", "Imported", "Layer", "LayerProblem", "Shape", "Span", "kinds"]

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("base", "derive", "imported"):
        importlib.import_module(f"{__name__}.{_module.name}")


def kinds() -> list[type[Layer]]:
    """Each kind once, in the order of the README's tables."""
    return sorted(dict.fromkeys(REGISTRY.values()), key=lambda kind: kind.rank)
