"""What a tool's convention is made of: the rows it sees (:class:`Item`), a rule per kind, the convention."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tree import Row

Bound = Any


@dataclass(frozen=True)
class Item:
    """One row as a tool sees it: its costs, and its tensors' elements for the whole batch."""

    row: Row
    input: tuple[Bound, Bound, Bound]  # of one sample
    batch: Bound

    @property
    def inp(self) -> Bound:
        """Elements entering, for the whole batch."""
        return self.batch * math.prod(self.input)

    @property
    def out(self) -> Bound:
        """Elements leaving, for the whole batch."""
        return self.batch * math.prod(self.row.output)

    @property
    def macs(self) -> Bound:
        return self.row.macs

    @property
    def params(self) -> Bound:
        return self.row.params

    @property
    def bias(self) -> Bound:
        """Bias additions, one per output element, where the layer has a bias (conv, deconv, fc)."""
        return self.out if getattr(self.row.layer, "bias", False) else 0

    @property
    def affine(self) -> bool:
        """A normalisation with a learned scale and shift."""
        return self.row.weights != 0


@dataclass(frozen=True)
class Rule:
    """How a tool counts one kind: a description, the count, and a note where the tool is known to be wrong."""

    text: str
    count: Callable[[Item], Bound]
    wrong: str = ""


@dataclass(frozen=True)
class Convention:
    """A tool's rules, keyed by layer kind (a kind not listed counts 0), and what its figure is."""

    name: str
    title: str
    unit: str  # "MACs", "FLOPs", or "params"
    source: str
    rules: Mapping[str, Rule]
    note: str = ""
    hooks: bool = False
    """Counts through module hooks only: a layer written ``torch=function`` (a functional call) counts 0."""
    decimals: int | None = None  # the figure as the tool prints it: rounded to this many decimals of 10^9

    @property
    def base(self) -> int:
        """symcnn's own figure in this unit is ``base`` x its MACs."""
        return 2 if self.unit == "FLOPs" else 1
