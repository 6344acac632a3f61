"""Channel shuffle: ``shuffle<g>`` (ShuffleNet's view, transpose, view)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from .base import Cost, Layer, LayerProblem, Shape, Slot, count, elements, register
from .imported import Imported

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class Shuffle(Layer):
    """``shuffle<g>``: the channels in g groups, interleaved; a new tensor (the transpose is made contiguous)."""

    groups: Any

    rank: ClassVar[int] = 66
    words: ClassVar[dict[str, dict[str, Any]]] = {"shuffle": {}}
    head = Slot("groups", "a number of groups")
    hint = "a channel shuffle in g groups is shuffle<g>, for example shuffle2"
    syntax: ClassVar[str] = "`shuffle<g>`"
    doc = "channel shuffle in g groups (ShuffleNet: view, transpose, contiguous, view): a new tensor, no cost"
    saves_doc = "nothing"
    torch_node = "`ViewBackward0`, `TransposeBackward0`"
    imports = ("ChannelShuffle",)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        return cls(a.get("groups"))

    def cost(self, x: Shape) -> Cost:
        g = count(self.groups, "the number of groups")
        share = arith.div(x[2], g)
        if arith.numeric(share) and type(share) is not int:
            raise LayerProblem(f"{arith.text(g)} groups do not divide the {arith.text(x[2])} channels")
        return Cost(x, 0, 0, 0, 0, elements(x))

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        import torch
        from torch import nn

        groups = self.groups

        class ChannelShuffle(nn.Module):
            def forward(self, value: torch.Tensor) -> torch.Tensor:
                n, c, h, w = value.shape
                return value.view(n, groups, c // groups, h, w).transpose(1, 2).contiguous().view(n, c, h, w)

        return ChannelShuffle()
