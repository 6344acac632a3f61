"""What one traced call says: its arguments by name, the tensors it reads, the tensor a size is read from."""

from __future__ import annotations

import inspect
from typing import Any

import torch
from torch import fx

# How the positional arguments of torch's built-in functions (which have no Python signature) are named.
POSITIONAL = {"softmax": ("input", "dim"), "flatten": ("input", "start_dim", "end_dim"),
              "dropout": ("input", "p", "train"), "leaky_relu": ("input", "negative_slope"),
              "adaptive_avg_pool2d": ("input", "output_size"), "adaptive_max_pool2d": ("input", "output_size"),
              "max_pool2d": ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
              "avg_pool2d": ("input", "kernel_size", "stride", "padding", "ceil_mode"),
              "layer_norm": ("input", "normalized_shape", "weight", "bias", "eps"),
              "chunk": ("input", "chunks", "dim"), "split": ("input", "split_size_or_sections", "dim")}
class Module:
    """A module's arguments as a kind reads them (:class:`symcnn.layers.base.Imported`)."""

    def __init__(self, module: torch.nn.Module, channels: int) -> None:
        self.op = type(module).__name__
        self.module = module
        self.channels = channels

    def get(self, name: str, default: Any = None) -> Any:
        value = getattr(self.module, name, default)
        return True if isinstance(value, torch.Tensor) else value


class Call:
    """A function's arguments bound to their names."""

    def __init__(self, op: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], channels: int) -> None:
        self.op = op
        self.channels = channels
        try:
            signature = inspect.signature(target)
            if any(p.kind is p.VAR_POSITIONAL for p in signature.parameters.values()):
                raise ValueError("a dispatcher of *args")  # F.max_pool2d: the names are in POSITIONAL
            self.arguments = dict(signature.bind(*args, **kwargs).arguments)
        except (TypeError, ValueError):
            names = POSITIONAL.get(op, ("input",))
            self.arguments = {**dict(zip(names, args)), **kwargs}

    def get(self, name: str, default: Any = None) -> Any:
        value = self.arguments.get(name, default)
        return True if isinstance(value, fx.Node) else value


def name_of(target: Any) -> str:
    """A function's or method's name without leading or trailing underscores (relu_ is relu)."""
    name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
    return name.strip("_")


def word(what: str) -> str:
    """An operation's description as a word of the notation, for ``uncounted[op=...]``."""
    word = "".join(ch if ch.isalnum() else "_" for ch in what.split(" (")[0]).strip("_")
    return word if word and word[0].isalpha() else "op_" + word


def attribute(module: torch.nn.Module, target: str) -> Any:
    """The tensor ``target`` (``features.1.layer_scale``) of ``module``."""
    value: Any = module
    for part in target.split("."):
        value = getattr(value, part)
    return value


def shape_source(size: Any) -> fx.Node | None:
    """The tensor whose height and width ``size`` reads (``x.shape[-2:]``, ``[x.size(2), x.size(3)]``)."""
    found: set[fx.Node] = set()

    def visit(v: Any) -> None:
        if isinstance(v, fx.Node):
            if v.meta.get("tensor_meta") is not None and hasattr(v.meta["tensor_meta"], "shape"):
                found.add(v)
                return
            for a in (*v.args, *v.kwargs.values()):
                visit(a)
        elif isinstance(v, (tuple, list)):
            for a in v:
                visit(a)

    visit(size)
    return next(iter(found)) if len(found) == 1 else None


def nodes(args: Any, kwargs: dict[str, Any]) -> list[fx.Node]:
    """The nodes among a call's arguments, in order."""
    found: list[fx.Node] = []

    def visit(v: Any) -> None:
        if isinstance(v, fx.Node):
            found.append(v)
        elif isinstance(v, (tuple, list)):
            for a in v:
                visit(a)
        elif isinstance(v, dict):
            for a in v.values():
                visit(a)

    visit(args)
    visit(kwargs)
    return found
