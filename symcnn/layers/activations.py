"""Element-wise activation functions and dropout: computed in place, no parameters, one table row each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .base import Layer, LayerProblem, SaveContext, register
from .imported import Imported

if TYPE_CHECKING:
    from torch import nn

ACTIVATIONS: dict[str, tuple[str, str, str, str]] = {
    # word: (what backward saves, the torch.nn module, its autograd node, what it computes)
    "relu": ("output", "ReLU", "ReluBackward0", "max(0, x)"),
    "relu6": ("input", "ReLU6", "HardtanhBackward0", "min(max(0, x), 6)"),
    "lrelu": ("input", "LeakyReLU", "LeakyReluBackward0", "leaky ReLU, slope 0.01 below 0"),
    "sigmoid": ("output", "Sigmoid", "SigmoidBackward0", "1/(1 + e^−x)"),
    "tanh": ("output", "Tanh", "TanhBackward0", "tanh x"),
    "gelu": ("input", "GELU", "GeluBackward0", "x·Φ(x)"),
    "silu": ("input", "SiLU", "SiluBackward0", "x·sigmoid(x)"),
    "swish": ("input", "SiLU", "SiluBackward0", "= silu"),
    "hswish": ("input", "Hardswish", "HardswishBackward0", "x·relu6(x + 3)/6"),
    "hsigmoid": ("input", "Hardsigmoid", "HardsigmoidBackward0", "relu6(x + 3)/6"),
    "mish": ("input", "Mish", "MishBackward0", "x·tanh(softplus(x))"),
    "softmax": ("output", "Softmax", "SoftmaxBackward0", "softmax over the channels"),
    "dropout": ("mask", "Dropout", "NativeDropoutBackward0 / MulBackward0", "dropout (the identity at inference)"),
}

FUNCTIONS = {"relu": "relu", "relu6": "relu6", "leaky_relu": "lrelu", "sigmoid": "sigmoid", "tanh": "tanh",
             "gelu": "gelu", "silu": "silu", "hardswish": "hswish", "hardsigmoid": "hsigmoid", "mish": "mish",
             "softmax": "softmax", "dropout": "dropout"}
"""Each activation by its name in ``torch.nn.functional`` (and ``torch``, and as a tensor method)."""
_MODULES = {row[1]: word for word, row in reversed(ACTIVATIONS.items())}  # SiLU is silu, not swish


@register
@dataclass(frozen=True)
class Activation(Layer):
    """An activation function or dropout: shape-preserving, no parameters, in place (no new tensor)."""

    name: str

    rank: ClassVar[int] = 60
    words: ClassVar[dict[str, dict[str, Any]]] = {word: {"name": word} for word in ACTIVATIONS}
    forms: ClassVar[tuple[str, ...]] = ("function",)
    hint = "an activation is written by its name alone, for example relu"
    syntax: ClassVar[str] = " ".join(f"`{word}`" for word in ACTIVATIONS)
    doc = "shape-preserving, no parameters, in place: " + "; ".join(
        f"{word} {row[3]}" for word, row in ACTIVATIONS.items())
    saves_doc = "; ".join(f"{', '.join(w for w, r in ACTIVATIONS.items() if r[0] == part)}: {what}" for part, what in (
        ("output", "its output"), ("input", "its input (in place: a copy of it)"),
        ("mask", "a mask the size of its input: bool on CUDA (fused kernel), the activation dtype on CPU")))
    torch_node = ", ".join(sorted({f"`{r[2]}`" for r in ACTIVATIONS.values()}))
    in_place = True
    flat = "any"
    imports = (*_MODULES, *FUNCTIONS)

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        word = _MODULES.get(a.op) or FUNCTIONS[a.op]
        if word == "lrelu" and a.get("negative_slope", 0.01) != 0.01:
            raise LayerProblem(f"a leaky ReLU of slope {a.get('negative_slope')} (lrelu is 0.01)")
        if word == "gelu" and a.get("approximate", "none") != "none":
            raise LayerProblem("GELU with the tanh approximation")
        if word == "softmax" and a.get("dim") != 1:
            raise LayerProblem(f"softmax over dimension {a.get('dim')}, not over the channels")
        return cls(word)

    @property
    def saves(self) -> tuple[str, ...]:  # type: ignore[override]
        return (ACTIVATIONS[self.name][0],)

    @property
    def autocast(self) -> str | None:  # type: ignore[override]
        return "fp32 on cuda" if self.name == "softmax" else None

    def saved(self, s: SaveContext) -> list[tuple[str, Any]]:
        if self.name == "dropout":
            return [("mask", s.new(s.input.elements, 1 if s.device == "cuda" else s.input.itemsize))]
        return super().saved(s)

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        module = getattr(nn, ACTIVATIONS[self.name][1])
        return module(dim=1) if self.name == "softmax" else module()
