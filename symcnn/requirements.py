"""The values an analysis needs to be whole numbers: channel counts, sizes, kernels, repeat counts.

With a name left free (a width ``w``), the analysis cannot check them; ``solve`` and
``sweep`` check them at the values they evaluate, without analysing again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sympy import Expr

from .analysis import Analysis
from .layers import Upsample
from .scaling import channel_layer


@dataclass(frozen=True)
class Requirement:
    """``value`` must be a whole number, a multiple of ``multiple``, and at least ``minimum``."""

    value: Expr
    multiple: int = 1
    minimum: int = 1

    def met(self, value: Expr) -> bool:
        """Whether a numeric value of :attr:`value` meets the requirement."""
        return bool(value.is_Integer and value >= self.minimum and value % self.multiple == 0)


def requirements(analysis: Analysis, multiple: int = 1) -> list[Requirement]:
    """Every size, count and layer value of the analysis; scaled channel counts a multiple of ``multiple``.

    >>> import symcnn
    >>> needs = requirements(symcnn.parse("input 8x8x3\\nconv3-{8*w}").analyze())
    >>> [str(n.value) for n in needs if n.value.free_symbols]
    ['8*w', '8*w']
    """
    found = [Requirement(size) for row in analysis.rows for size in (*row.output, row.count)]
    for block in (b for b in analysis.tree.blocks() if b.layer is not None):
        layer = block.layer
        if isinstance(layer, Upsample):  # its factor may be any positive rational
            continue
        for field in dataclasses.fields(layer):
            value = getattr(layer, field.name)
            scaled = field.name == "out" and channel_layer(layer) and bool(value.free_symbols)
            found += [Requirement(item, multiple if scaled else 1, 0 if field.name == "padding" else 1)
                      for item in (value if isinstance(value, tuple) else (value,)) if isinstance(item, Expr)]
        groups = getattr(layer, "groups", 1)
        if channel_layer(layer) and groups != 1:
            found += [Requirement(block.input[2] / groups), Requirement(layer.out / groups)]  # type: ignore[attr-defined]
    return found
