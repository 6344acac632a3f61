"""Stochastic depth: ``droppath``, the identity at inference; in training a per-sample mask."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from ..numbers import exact
from .base import Layer, LayerProblem, Option, SaveContext, register
from .imported import Imported

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class DropPath(Layer):
    """``droppath[p=…]``: stochastic depth (torchvision's ``StochasticDepth``, mode "row"), the identity at inference.

    In training it multiplies by a mask of one value per sample and keeps the mask for
    backward, unless p = 0 (torchvision then returns its input: its first ConvNeXt block).
    """

    p: Any = arith.div(1, 10)

    rank: ClassVar[int] = 65
    words: ClassVar[dict[str, dict[str, Any]]] = {"droppath": {}}
    options = (Option("p"),)
    hint = "stochastic depth is droppath, or droppath[p=0.2]"
    syntax: ClassVar[str] = "`droppath`"
    doc = ("stochastic depth (torchvision's `StochasticDepth`, per sample): the identity at inference, no cost; "
           "`p=` its drop probability (only p = 0 changes a count: no mask in training)")
    saves_doc = "in training, a mask of one value per sample (none when p = 0)"
    torch_node = "`MulBackward0`"
    in_place = True
    flat = "any"
    imports = ("StochasticDepth", "stochastic_depth")

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if a.get("mode") != "row":
            raise LayerProblem(f"stochastic depth in mode '{a.get('mode')}' (droppath is per sample, mode 'row')")
        return cls(exact(Fraction(repr(float(a.get("p"))))))  # the probability as PyTorch prints it

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        if not arith.numeric(self.p):
            raise LayerProblem("the training memory of droppath depends on whether p is 0; give p a value")
        if self.p == 0:
            return []
        samples = arith.div(s.input.elements, s.row.output[0] * s.row.output[1] * s.row.output[2])
        return [("mask", s.new(samples, s.input.itemsize))]

    @property
    def view(self) -> bool:  # type: ignore[override]
        """With p = 0 it returns its input in training too; otherwise its output is x times the mask."""
        return self.p == 0

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        import torch
        from torch import nn

        p = float(self.p)

        class DropPath(nn.Module):
            def forward(self, value: torch.Tensor) -> torch.Tensor:
                if not self.training or p == 0:
                    return value
                mask = torch.empty([value.shape[0]] + [1] * (value.ndim - 1), dtype=value.dtype,
                                   device=value.device).bernoulli_(1 - p)
                return value * mask.div_(1 - p)

        return DropPath()
