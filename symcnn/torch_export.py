"""An analysed network as a ``torch.nn.Module``: real PyTorch as an independent referee of the counts.

The module mirrors the analysis tree block for block. Our fc output is 1x1xn; in
torch it is an (N, n) tensor, so the builder tracks whether the tensor is flat
and reshapes it to (N, n, 1, 1) when a spatial layer or a combinator follows.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
import torch
from torch import nn

from .analysis import Analysis, Block
from .errors import SymcnnError
from .layers import FC, LRN, AdaptivePool, BatchNorm, Conv, Deconv, Elementwise, GlobalPool, Layer, Pool, Upsample

ROW = "symcnn_row"
"""The attribute that names, on each module that computes one, the index of its row in ``analysis.rows``."""

ELEMENTWISE: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "relu6": nn.ReLU6,
    "lrelu": nn.LeakyReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "swish": nn.SiLU,
    "hswish": nn.Hardswish,
    "hsigmoid": nn.Hardsigmoid,
    "softmax": lambda: nn.Softmax(dim=1),
    "dropout": nn.Dropout,
    "flatten": nn.Flatten,
    "id": nn.Identity,
}


class Residual(nn.Module):
    """``res(main)``: x + main(x); ``res(main | shortcut)``: main(x) + shortcut(x)."""

    def __init__(self, main: nn.Module, shortcut: nn.Module | None) -> None:
        super().__init__()
        self.main = main
        self.shortcut = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x) + (x if self.shortcut is None else self.shortcut(x))


class Concat(nn.Module):
    """``concat(a | b | …)``: every branch on the same input, channels concatenated."""

    def __init__(self, branches: list[nn.Module]) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class Gate(nn.Module):
    """``mul(body)``: x * body(x), the gate broadcast when it is 1x1xC."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.body(x)


def to_torch(analysis: Analysis) -> nn.Module:
    """A module that computes the analysed network, in inference mode (our counts are inference counts).

    Every module that computes a row of ``analysis.rows`` (a layer, or the add,
    concat or mul of a combinator) carries that row's index as ``symcnn_row``.

    >>> import symcnn, torch
    >>> analysis = symcnn.parse("input 32x32x3\\nres(conv3-3, bn), pool2, fc-10").analyze()
    >>> net = to_torch(analysis)
    >>> tuple(net(torch.zeros(1, 3, 32, 32)).shape)
    (1, 10)
    >>> sum(p.numel() for p in net.parameters()) == analysis.totals["params"]
    True
    """
    if not analysis.is_numeric:
        names = ", ".join(sorted(str(s) for s in analysis.free_symbols))
        raise SymcnnError(f"the network has names without values ({names}); a torch module needs concrete sizes",
                          hint="give them values, e.g. analysis.at('224x224x3', K=1000)")
    module, _ = _Builder(analysis).build(analysis.tree, flat=False)
    return module.train(False)


def _int(value: sympy.Expr, what: str) -> int:
    if not value.is_Integer:
        raise SymcnnError(f"{what} is {value}; a torch module needs an integer", hint="give every name a value")
    return int(value)


def _unflatten(channels: sympy.Expr) -> nn.Module:
    return nn.Unflatten(1, (_int(channels, "the channel count"), 1, 1))


def _tagged(module: nn.Module, row: int | None) -> nn.Module:
    setattr(module, ROW, row)
    return module


class _Builder:
    def __init__(self, analysis: Analysis) -> None:
        self.rows = analysis.rows

    def build(self, block: Block, flat: bool) -> tuple[nn.Module, bool]:
        """The module for ``block`` on a flat (N, n) or a 4-D (N, C, H, W) input, and whether its output is flat."""
        if block.kind == "layer":
            assert block.layer is not None
            return self.layer(block.layer, block, flat)
        if block.kind in {"seq", "repeat", "call"}:
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
        if block.kind == "res":
            combined = Residual(branches[0], branches[1] if len(branches) > 1 else None)
        elif block.kind == "concat":
            combined = Concat(branches)
        else:
            combined = Gate(branches[0])
        combined = _tagged(combined, block.row)
        return (nn.Sequential(_unflatten(block.input[2]), combined) if flat else combined), False

    def branch(self, block: Block) -> nn.Module:
        module, flat = self.build(block, flat=False)
        if not flat:
            return module
        return nn.Sequential(module, _unflatten(self.output(block)[2]))

    def output(self, block: Block) -> tuple[sympy.Expr, ...]:
        """The output shape of a block: its own row's, or its last part's."""
        while block.row is None:
            block = block.parts[-1]
        return self.rows[block.row].output

    def layer(self, layer: Layer, block: Block, flat: bool) -> tuple[nn.Module, bool]:
        c = block.input[2]
        if isinstance(layer, FC):
            linear = nn.Linear(_int(c * block.input[0] * block.input[1], "the fc input size"),
                               _int(layer.out, "the fc output size"), bias=layer.bias)
            return _tagged(linear if flat else nn.Sequential(nn.Flatten(), linear), block.row), True
        if isinstance(layer, Elementwise):
            return _tagged(ELEMENTWISE[layer.name](), block.row), flat or layer.name == "flatten"
        if isinstance(layer, BatchNorm):
            norm = nn.BatchNorm1d if flat else nn.BatchNorm2d
            return _tagged(norm(_int(c, "the channel count")), block.row), flat
        module = _tagged(self.spatial(layer, block), block.row)
        return (nn.Sequential(_unflatten(c), module) if flat else module), False

    def spatial(self, layer: Layer, block: Block) -> nn.Module:
        """The module for a layer that needs a 4-D input."""
        c = _int(block.input[2], "the channel count")
        if isinstance(layer, Conv):
            kernel = tuple(_int(k, "the kernel size") for k in layer.kernel)
            padding = tuple(k // 2 for k in kernel) if layer.padding is None else _int(layer.padding, "the padding")
            return nn.Conv2d(c, c if layer.out is None else _int(layer.out, "the number of filters"), kernel,
                             stride=_int(layer.stride, "the stride"), padding=padding,
                             dilation=_int(layer.dilation, "the dilation"),
                             groups=c if layer.out is None else _int(layer.groups, "the number of groups"),
                             bias=layer.bias)
        if isinstance(layer, Deconv):
            return nn.ConvTranspose2d(c, _int(layer.out, "the number of filters"),
                                      tuple(_int(k, "the kernel size") for k in layer.kernel),
                                      stride=_int(layer.stride, "the stride"),
                                      padding=_int(layer.padding, "the padding"),
                                      dilation=_int(layer.dilation, "the dilation"),
                                      groups=_int(layer.groups, "the number of groups"), bias=layer.bias)
        if isinstance(layer, Pool):
            kernel = tuple(_int(k, "the window size") for k in layer.kernel)
            stride = kernel if layer.stride is None else _int(layer.stride, "the stride")
            pool = nn.MaxPool2d if layer.op == "max" else nn.AvgPool2d
            return pool(kernel, stride=stride, padding=_int(layer.padding, "the padding"), ceil_mode=layer.ceil)
        if isinstance(layer, GlobalPool):
            return nn.AdaptiveAvgPool2d(1) if layer.op == "avg" else nn.AdaptiveMaxPool2d(1)
        if isinstance(layer, AdaptivePool):
            return nn.AdaptiveAvgPool2d(tuple(_int(k, "the output size") for k in layer.size))
        if isinstance(layer, LRN):
            return nn.LocalResponseNorm(size=5)
        if isinstance(layer, Upsample):
            if layer.factor.is_Integer:
                return nn.Upsample(scale_factor=int(layer.factor), mode="nearest")
            # torch multiplies by a float factor: 49 * (1/49) gives 0.999…, which floors to 0, not 1.
            h, w, _ = self.rows[block.row].output  # type: ignore[index]
            return nn.Upsample(size=(_int(h, "the upsampled height"), _int(w, "the upsampled width")), mode="nearest")
        raise SymcnnError(f"'{layer.notation()}' has no torch counterpart yet")
