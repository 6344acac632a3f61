"""An operation symcnn cannot count, kept in its place: ``uncounted{h}x{w}-{c}[op=name]``.

Without a size the output has the input's height and width, without ``-c`` its channels
(``uncounted[op=Cube_apply]`` keeps the shape, and the formulas stay in H and W).

Only an import with ``allow_uncounted`` writes it (a model's attention block, a custom
autograd function): the shape after it is the one the model had at the traced size, and every
output names it and says its costs are not in the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..values import Word
from .base import Cost, Layer, LayerProblem, Option, SaveContext, Shape, Slot, count, elements, register

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class Uncounted(Layer):
    """``uncounted{h}x{w}-{c}[op=name]``: an operation whose costs are unknown; output h×w×c, counted as 0."""

    size: tuple[Any, Any] | None = None
    out: Any = None
    op: Any = Word("unknown")

    rank: ClassVar[int] = 90
    words: ClassVar[dict[str, dict[str, Any]]] = {"uncounted": {}}
    head = Slot("size", "an output size", pair=True)
    dash = Slot("out", "a channel count")
    options = (Option("op", (), "word"),)
    hint = "an operation left uncounted is uncounted{h}x{w}-{c}[op=name]"
    syntax: ClassVar[str] = "`uncounted{h}x{w}-{c}`, `uncounted`"
    doc = ("an operation symcnn cannot count (written by an import with `allow_uncounted`): output h×w×c (without a "
           "size or `-c`, the input's); its "
           "params, MACs and memory are unknown, counted 0 and named in every output")
    saves_doc = "unknown: training memory is refused"
    torch_node = "unknown"
    unknown = True

    def cost(self, x: Shape) -> Cost:
        h, w = (x[0], x[1]) if self.size is None else self.size
        out = (count(h, "the output height"), count(w, "the output width"),
               x[2] if self.out is None else count(self.out, "the channels"))
        return Cost(out, 0, 0, 0, 0, elements(out))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        raise LayerProblem(f"what the uncounted operation {self.op.word} saves for backward is unknown")

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        raise LayerProblem(f"the uncounted operation {self.op.word} has no module symcnn can build")
