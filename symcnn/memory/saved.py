"""A tensor saved for backward, and the sums and maxima of byte counts (numbers or formulas)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import arith
from ..arith import Bound


@dataclass(frozen=True)
class Saved:
    """A tensor saved for the backward pass: which row saves it, what it is, its size.

    ``times`` is how many such tensors there are: 1, or a symbolic repeat count.
    """

    row: int
    what: str
    elements: Bound
    itemsize: int
    times: Bound = 1

    @property
    def bytes(self) -> Bound:
        return self.elements * self.itemsize * self.times


def _sum(values: Iterable[Bound]) -> Bound:
    return arith.total(list(values))


def total(values: Iterable[Bound]) -> Bound:
    return arith.total(list(values))


def peak(values: Iterable[Bound]) -> Bound:
    """The largest of ``values``: a number, or an exact SymPy ``Max`` (see :func:`symcnn.symbolic.peak`).

    >>> peak([3, 7, 5])
    7
    """
    found = list(values)
    if all(map(arith.numeric, found)):
        return max(found)
    from ..symbolic import peak as symbolic_peak

    return symbolic_peak(found)
