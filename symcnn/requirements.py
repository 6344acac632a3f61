"""The values an analysis needs to be whole numbers: channel counts, sizes, kernels, repeat counts.

With a name left free (a width ``w``), the analysis cannot check them; ``solve`` and
``sweep`` check them at the values they evaluate, without analysing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import arith
from .analysis import Analysis
from .layers import Layer
from .scaling import channel_layer
from .values import Word

FREE_FIELDS = {"factor"}
"""Layer fields that may hold any positive number (an upsampling factor)."""


@dataclass(frozen=True)
class Requirement:
    """``value`` must be a whole number, a multiple of ``multiple``, and at least ``minimum``."""

    value: Any
    multiple: int = 1
    minimum: int = 1

    def met(self, value: Any) -> bool:
        """Whether a numeric value of :attr:`value` meets the requirement."""
        value = arith.norm(value)
        return bool(type(value) is int and value >= self.minimum and value % self.multiple == 0)


def requirements(analysis: Analysis, multiple: int = 1) -> list[Requirement]:
    """Every symbolic size, count and layer value of the analysis; scaled channel counts a multiple of ``multiple``.

    >>> import symcnn
    >>> needs = requirements(symcnn.parse("input 8x8x3\\nconv3-{8*w}").analyze())
    >>> [str(n.value) for n in needs]
    ['8*w', '8*w']
    """
    found = [Requirement(size) for row in analysis.rows for size in (*row.output, row.count)
             if not arith.numeric(size)]
    for block in (b for b in analysis.tree.blocks() if b.layer is not None):
        layer: Layer = block.layer
        for name in layer.value_fields():
            if name in FREE_FIELDS:
                continue
            value = getattr(layer, name)
            scaled = name == layer.scales and not arith.numeric(value)
            found += [Requirement(item, multiple if scaled else 1, 0 if "padding" in name else 1)
                      for item in (value if isinstance(value, tuple) else (value,))
                      if not (arith.numeric(item) or isinstance(item, (bool, str, Word)) or item is None)]
        groups = getattr(layer, "groups", 1)
        if channel_layer(layer) and groups != 1:
            found += [Requirement(v) for v in (arith.div(block.input[2], groups), arith.div(layer.out, groups))
                      if not arith.numeric(v)]
    return found
