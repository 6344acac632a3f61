"""Normalization over channels: ``bn`` (batch), ``ln`` (layer), ``gn<g>`` (group), ``inorm`` (instance)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import arith
from . import derive as d
from .base import (
    FP32,
    Cost,
    Layer,
    LayerProblem,
    Option,
    SaveContext,
    Shape,
    Slot,
    count,
    elements,
    register,
)
from .forms import channels_last
from .imported import Imported

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class BatchNorm(Layer):
    """``bn``: 2C parameters (scale, shift) and 2C buffers (running mean and variance)."""

    rank: ClassVar[int] = 50
    words: ClassVar[dict[str, dict[str, Any]]] = {"bn": {}}
    hint = "batch normalization is bn"
    syntax: ClassVar[str] = "`bn`"
    doc = ("batch normalization: 2C parameters (scale, shift) and 2C buffers (running mean, variance), reported "
           "apart")
    params_doc = "2C"
    saves = ("input", "stats")
    saves_doc = "its input + batch mean and inverse std (2C values; fp32 on CUDA, the parameter dtype on CPU)"
    torch_node = "`NativeBatchNormBackward0`"
    parametric = True
    flat = "any"
    imports = ("BatchNorm2d", "BatchNorm1d")

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if not (a.get("affine", True) and a.get("track_running_stats", True)):
            raise LayerProblem("batch normalization without a scale and shift or without running statistics")
        return cls()

    def cost(self, x: Shape) -> Cost:
        c = x[2]
        return Cost(x, c, c, 2 * c, 0, elements(x), arith.factor(c))

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        p = d.Step("P", f"2{d.C}", d.product(d.number(2), d.value(t, x[2])), "params")
        return d.Derived("Batch normalization (scale and shift)", (p,))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        stats = max(FP32, s.param_size) if s.device == "cuda" else s.param_size
        return [("input", s.saved_input()), ("mean and invstd", s.new(2 * s.row.weights, stats))]

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return (nn.BatchNorm1d if flat else nn.BatchNorm2d)(x[2])


def _stats(s: SaveContext, elements: Any) -> Any:
    """Mean and inverse std (rstd) of layer and group norm: on CPU in the wider type of input and parameters
    (bf16 for a bf16 model, fp32 under autocast), on CUDA in the accumulation type (fp32 for half inputs)."""
    return s.new(elements, max(FP32, s.input.itemsize) if s.device == "cuda" else max(s.input.itemsize, s.param_size))


@register
@dataclass(frozen=True)
class LayerNorm(Layer):
    """``ln``: layer normalization over the channels at each position (ConvNeXt's LayerNorm2d): 2C parameters."""

    rank: ClassVar[int] = 51
    words: ClassVar[dict[str, dict[str, Any]]] = {"ln": {}}
    forms: ClassVar[tuple[str, ...]] = ("last",)
    hint = "layer normalization over the channels is ln"
    syntax: ClassVar[str] = "`ln`"
    doc = "layer normalization over the channels at each position (ConvNeXt's `LayerNorm2d`): 2C parameters, no buffers"
    params_doc = "2C"
    saves_doc = "its input + mean and inverse std per position (N·H·W each; CPU: the wider type of input and parameters)"
    torch_node = "`NativeLayerNormBackward0`"
    parametric = True
    flat = "any"
    imports = ("LayerNorm", "layer_norm")

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        """Over the channels only (the importer has them last), with a scale and a shift."""
        shape = a.get("normalized_shape")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if shape != (a.channels,):
            raise LayerProblem(f"layer normalization over {list(shape)}, not over the {a.channels} channels")
        affine = a.get("elementwise_affine", True) and a.get("weight", True) is not None
        if not (affine and a.get("bias", True) is not None and a.get("bias", True) is not False):
            raise LayerProblem("layer normalization without a scale and a shift")
        return cls()

    def cost(self, x: Shape) -> Cost:
        c = x[2]
        return Cost(x, c, c, 0, 0, elements(x), arith.factor(c))

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        p = d.Step("P", f"2{d.C}", d.product(d.number(2), d.value(t, x[2])), "params")
        return d.Derived("Layer normalization (scale and shift)", (p,))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        positions = arith.div(s.input.elements, s.row.output[2])
        return [("input", s.saved_input()), ("mean", _stats(s, positions)), ("rstd", _stats(s, positions))]

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        import torch
        from torch import nn

        if flat:
            return nn.LayerNorm(x[2])
        if self.form == "last":
            return channels_last(nn.LayerNorm(x[2]))

        class LayerNorm2d(nn.LayerNorm):
            """torchvision's: the channels last, normalized, then first again."""

            def forward(self, value: torch.Tensor) -> torch.Tensor:
                return super().forward(value.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

        return LayerNorm2d(x[2])


@register
@dataclass(frozen=True)
class GroupNorm(Layer):
    """``gn<g>``: group normalization in g groups of channels: 2C parameters."""

    groups: Any

    rank: ClassVar[int] = 52
    words: ClassVar[dict[str, dict[str, Any]]] = {"gn": {}}
    head = Slot("groups", "a number of groups")
    hint = "group normalization is gn<g>, for example gn32"
    syntax: ClassVar[str] = "`gn<g>`"
    doc = "group normalization in g groups of channels: 2C parameters, no buffers"
    params_doc = "2C"
    saves_doc = "its input + mean and inverse std per sample and group (N·g each, typed as for ln)"
    torch_node = "`NativeGroupNormBackward0`"
    parametric = True
    imports = ("GroupNorm",)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if not a.get("affine", True):
            raise LayerProblem("group normalization without a scale and shift")
        return cls(a.get("num_groups"))

    def cost(self, x: Shape) -> Cost:
        c = x[2]
        g = count(self.groups, "the number of groups")
        share = arith.div(c, g)
        if arith.numeric(share) and type(share) is not int:
            raise LayerProblem(f"{arith.text(g)} groups do not divide the {arith.text(c)} channels")
        return Cost(x, c, c, 0, 0, elements(x), arith.factor(c))

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived:
        p = d.Step("P", f"2{d.C}", d.product(d.number(2), d.value(t, x[2])), "params")
        return d.Derived("Group normalization (scale and shift)", (p,))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        per_sample = arith.div(s.input.elements, elements(s.row.output))
        return [("input", s.saved_input()), ("mean", _stats(s, per_sample * self.groups)),
                ("rstd", _stats(s, per_sample * self.groups))]

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return nn.GroupNorm(self.groups, x[2])


@register
@dataclass(frozen=True)
class InstanceNorm(Layer):
    """``inorm``: instance normalization of each channel of each sample; no parameters unless ``affine=true``."""

    affine: bool = False

    rank: ClassVar[int] = 53
    words: ClassVar[dict[str, dict[str, Any]]] = {"inorm": {}}
    options = (Option("affine", (), "bool"),)
    hint = "instance normalization is inorm (inorm[affine=true] with a scale and shift)"
    syntax: ClassVar[str] = "`inorm`"
    doc = "instance normalization of each channel of each sample (PyTorch's `InstanceNorm2d`): no parameters, 2C with `affine=true`; no buffers"
    params_doc = "0, or 2C"
    saves_doc = "its input + mean and inverse std per sample and channel (N·C each; with `affine`, the weight repeated N times too)"
    torch_node = "`NativeBatchNormBackward0`"
    imports = ("InstanceNorm2d",)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if a.get("track_running_stats", False):
            raise LayerProblem("instance normalization with running statistics")
        return cls(bool(a.get("affine", False)))

    @property
    def parametric(self) -> bool:  # type: ignore[override]
        return self.affine

    def cost(self, x: Shape) -> Cost:
        c = x[2] if self.affine else 0
        return Cost(x, c, c, 0, 0, elements(x), arith.factor(c) if self.affine else "")

    def derive(self, t: d.Tex, x: Shape, out: Shape) -> d.Derived | None:
        if not self.affine:
            return None
        p = d.Step("P", f"2{d.C}", d.product(d.number(2), d.value(t, x[2])), "params")
        return d.Derived("Instance normalization (scale and shift)", (p,))

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        per_sample = arith.div(s.input.elements, elements(s.row.output))
        channels = per_sample * s.row.output[2]
        # As for bn: fp32 on CUDA; on CPU the input's type, or the wider of it and the parameters' when affine.
        stats = max(FP32, s.input.itemsize) if s.device == "cuda" else \
            max(s.input.itemsize, s.param_size) if self.affine else s.input.itemsize
        found = [("input", s.saved_input()), ("mean", s.new(channels, stats)), ("invstd", s.new(channels, stats))]
        return found + ([("weight repeated", s.new(channels, s.param_size))] if self.affine else [])

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return nn.InstanceNorm2d(x[2], affine=self.affine)
