"""What an analysis is made of: a row per layer instance and join, and the tree of blocks as the network runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterator

from . import arith
from .arith import Bound
from .layers import Cost, Layer, Shape


class BlockKind(str, Enum):
    """What a :class:`Block` is: a layer instance, or one of the notation's combinators."""

    LAYER = "layer"
    SEQ = "seq"
    REPEAT = "repeat"
    CALL = "call"
    RES = "res"
    CONCAT = "concat"
    MUL = "mul"
    SPLIT = "split"
    SIDE = "side"

    def __str__(self) -> str:
        return self.value


JOINS = {BlockKind.RES: "add", BlockKind.CONCAT: "concat", BlockKind.MUL: "mul", BlockKind.SPLIT: "split"}
"""The row each combinator adds where its branches meet (a side output has none)."""


@dataclass(frozen=True, kw_only=True)
class Row(Cost):
    """One line of the breakdown: a layer instance, the input, or a join (add, concat, mul, split).

    The costs are the layer's :class:`~symcnn.layers.Cost`. ``count`` is how many times
    they count: 1, or the symbolic count of a repeat such as ``x{n}``. ``macs`` and
    ``activations`` are for the whole batch; ``output`` is the shape of one sample.
    ``layer`` is the bound layer (None for the input and joins); ``side`` marks the rows
    of a side output, counted apart from the main path.
    """

    index: int
    name: str
    kind: str
    count: Bound
    depth: int
    layer: Layer | None = None
    side: bool = False

    @property
    def params(self) -> Bound:
        return self.weights + self.biases


@dataclass(frozen=True, eq=False)
class Block:
    """The network as it runs: one block per layer instance or combinator, in execution order.

    ``row`` is the index of the block's own row (a layer's, or the join's); ``parts`` are the
    sub-blocks; ``input`` is the shape the block receives; ``name`` is a call as written or a
    repeat's count (``x3``); ``count`` is the symbolic count of a repeat that is multiplied
    rather than unrolled.
    """

    kind: BlockKind
    input: Shape
    parts: tuple[Block, ...] = ()
    layer: Layer | None = None
    row: int | None = None
    name: str = ""
    count: Bound = 1

    def blocks(self) -> Iterator[Block]:
        """This block and every block inside it, without recursion.

        >>> import symcnn
        >>> tree = symcnn.parse("input 8x8x4\\nres(conv1-4, relu)").analyze().tree
        >>> sorted(str(b.kind) for b in tree.blocks())
        ['layer', 'layer', 'res', 'seq', 'seq']
        """
        stack = [self]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(current.parts)


def shape_text(shape: Shape) -> str:
    text = "x".join(arith.text(d) if arith.numeric(d) or getattr(d, "is_Atom", False) else f"({arith.text(d)})"
                    for d in shape)
    return text if len(text) <= 200 else text[:200] + "…"
