"""An analysed network as a ``torch.nn.Module``: real PyTorch as an independent referee of the counts.

The module mirrors the analysis tree block for block; each layer kind builds its own module
(:meth:`symcnn.layers.base.Layer.torch`). Our fc output is 1x1xn; in torch it is an (N, n)
tensor, so the builder tracks whether the tensor is flat and reshapes it to (N, n, 1, 1)
when a spatial layer or a combinator follows.
"""

from __future__ import annotations

import torch
from torch import nn

from .analysis import Analysis
from .errors import SymcnnError
from .layers import LayerProblem
from .walk import Block, BlockKind

ROW = "symcnn_row"
"""The attribute that names, on each module that computes one, the index of its row in ``analysis.rows``."""


class Residual(nn.Module):
    """``res(main)``: x + main(x); ``res(main | shortcut)``: main(x) + shortcut(x)."""

    def __init__(self, main: nn.Module, shortcut: nn.Module | None) -> None:
        super().__init__()
        self.main = main
        self.shortcut = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x) + (x if self.shortcut is None else self.shortcut(x))


class Functional(nn.Module):
    """A layer written ``torch=function``: its module's forward, called as the function it is, with no module hooks.

    The module is kept out of the module tree on purpose: a tool that hooks modules by type
    (ptflops, thop, torchinfo) sees a ``torch.nn.functional`` call, as in torchvision's code.
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.__dict__["call"] = module.forward

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.call(x)  # type: ignore[no-any-return]


class Concat(nn.Module):
    """``concat(a | b | …)``: every branch on the same input, channels concatenated."""

    def __init__(self, branches: list[nn.Module]) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class Split(nn.Module):
    """``split(a | b | …)``: the channels in equal chunks, chunk i through branch i, concatenated."""

    def __init__(self, branches: list[nn.Module]) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = x.chunk(len(self.branches), dim=1)
        return torch.cat([branch(part) for branch, part in zip(self.branches, parts)], dim=1)


class Gate(nn.Module):
    """``mul(body)``: x * body(x), the gate broadcast when it is 1x1xC; ``mul(body | other)``: other(x) * body(x)."""

    def __init__(self, body: nn.Module, other: nn.Module | None = None) -> None:
        super().__init__()
        self.body = body
        self.other = other

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x if self.other is None else self.other(x)) * self.body(x)


class Side(nn.Module):
    """``side(body)``: computes body(x) as a side output (kept in ``outputs``) and passes x on."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body
        self.outputs: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.outputs = [self.body(x)]
        return x


def to_torch(analysis: Analysis) -> nn.Module:
    """A module that computes the analysed network, in inference mode (our counts are inference counts).

    Every module that computes a row of ``analysis.rows`` (a layer, or the add,
    concat, split or mul of a combinator) carries that row's index as ``symcnn_row``.

    >>> import symcnn, torch
    >>> analysis = symcnn.parse("input 32x32x3\\nres(conv3-3, bn), pool2, fc-10").analyze()
    >>> net = to_torch(analysis)
    >>> tuple(net(torch.zeros(1, 3, 32, 32)).shape)
    (1, 10)
    >>> sum(p.numel() for p in net.parameters()) == analysis.totals["params"]
    True
    """
    if not isinstance(analysis, Analysis):
        what = type(analysis).__name__
        raise SymcnnError(f"to_torch takes an analysis with concrete sizes, not a {what}",
                          hint="symcnn.to_torch(symcnn.load('vgg16').analyze().at('224x224x3'))")
    if not analysis.is_numeric:
        names = ", ".join(analysis.unbound)
        raise SymcnnError(f"the network has names without values ({names}); a torch module needs concrete sizes",
                          hint="give them values, e.g. analysis.at('224x224x3', K=1000)")
    try:
        module, _ = _Builder(analysis).build(analysis.tree, flat=False)
    except LayerProblem as problem:
        raise SymcnnError(str(problem), hint="give every name a value") from None
    return module.train(False)


def _tagged(module: nn.Module, row: int | None) -> nn.Module:
    setattr(module, ROW, row)
    return module


def _unflatten(channels: int) -> nn.Module:
    return nn.Unflatten(1, (channels, 1, 1))


class _Builder:
    def __init__(self, analysis: Analysis) -> None:
        self.rows = analysis.rows

    def build(self, block: Block, flat: bool) -> tuple[nn.Module, bool]:
        """The module for ``block`` on a flat (N, n) or a 4-D (N, C, H, W) input, and whether its output is flat."""
        if block.kind is BlockKind.LAYER:
            return self.layer(block, flat)
        if block.kind in (BlockKind.SEQ, BlockKind.REPEAT, BlockKind.CALL):
            if block.count != 1:
                raise SymcnnError(f"the repeat {block.name} has a symbolic count; a torch module needs a number",
                                  hint="give the count a value with .at(...)")
            modules = []
            for part in block.parts:
                module, flat = self.build(part, flat)
                modules.append(module)
            return nn.Sequential(*modules), flat
        # The combinators work on 4-D tensors, so that 1x1xC results line up and broadcast.
        branches = [self.branch(part) for part in block.parts]
        combined: nn.Module
        if block.kind is BlockKind.RES:
            combined = Residual(branches[0], branches[1] if len(branches) > 1 else None)
        elif block.kind is BlockKind.CONCAT:
            combined = Concat(branches)
        elif block.kind is BlockKind.SPLIT:
            combined = Split(branches)
        elif block.kind is BlockKind.MUL:
            combined = Gate(branches[0], branches[1] if len(branches) > 1 else None)
        elif branches:
            combined = Side(branches[0])
        else:  # a side output switched off
            return nn.Identity(), flat
        combined = _tagged(combined, block.row)
        if flat:
            return nn.Sequential(_unflatten(block.input[2]), combined), False
        return combined, False

    def branch(self, block: Block) -> nn.Module:
        module, flat = self.build(block, flat=False)
        if not flat:
            return module
        return nn.Sequential(module, _unflatten(self.output(block)[2]))

    def output(self, block: Block) -> tuple[int, ...]:
        """The output shape of a block: its own row's, or its last part's."""
        while block.row is None:
            block = block.parts[-1]
        return self.rows[block.row].output  # type: ignore[return-value]

    def layer(self, block: Block, flat: bool) -> tuple[nn.Module, bool]:
        layer, row = block.layer, self.rows[block.row]  # type: ignore[index]
        assert layer is not None
        built = layer.torch(block.input, row.output, flat)  # type: ignore[arg-type]
        module = _tagged(Functional(built) if layer.form == "function" else built, block.row)
        if layer.flat == "flattens":
            return module, True
        if layer.flat == "any":
            return module, flat
        return (nn.Sequential(_unflatten(block.input[2]), module) if flat else module), False
