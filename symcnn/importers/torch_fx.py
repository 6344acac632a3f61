"""PyTorch modules read with ``torch.fx``: modules and functions to layers, tensor joins to blocks.

``torch.fx.symbolic_trace`` keeps a model's module boundaries: each ``torch.nn`` layer is one
call, with its module path and the modules around it (which name the definitions of the
notation written back), and the functions between them (``torch.cat``, ``+``, ``chunk``,
``view``) are calls of their own. Shapes at the traced size come from ``ShapeProp`` on fake
tensors, so nothing is computed. Each ``torch.nn`` module and function is read by the layer
kind that lists it (:attr:`symcnn.layers.Layer.imports`); the joins, views and resizes that
depend on the graph around them are read here.
"""

from __future__ import annotations

import dataclasses
import operator
from collections import Counter
from fractions import Fraction
from typing import Any

import torch
from torch import fx

from ..errors import SymcnnError
from ..layers import IMPORTS, Layer, LayerProblem
from ..layers.conv import Conv
from ..layers.crop import Crop
from ..layers.globalpool import GlobalPool
from ..layers.resize import Resize
from ..layers.scale import LayerScale
from ..layers.shuffle import Shuffle
from ..layers.upsample import Upsample
from ..layers.views import FLATTEN
from ..numbers import exact
from ..values import Word
from .graph import Graph, Node
from .torch_args import Call, Module, attribute, name_of, nodes, shape_source, word

ADD = {operator.add, operator.iadd, torch.add, "add", "add_"}
MUL = {operator.mul, operator.imul, torch.mul, "mul", "mul_"}
CAT = {torch.cat, torch.concat}
CHUNK = {torch.chunk, torch.split, "chunk", "split"}




class Reader:
    """One pass over a traced graph, building the :class:`~.graph.Graph` of layers and joins."""

    def __init__(self, module: torch.nn.Module, traced: fx.GraphModule) -> None:
        self.module = module
        self.traced = traced
        self.graph = Graph()
        self.tensor: dict[fx.Node, str] = {}  # the graph node that holds an fx node's tensor
        self.layout: dict[fx.Node, str] = {}  # nchw; nhwc after a permute (channels last); flat (N, n); seq (N, L, C)
        self.pending: dict[fx.Node, tuple[fx.Node, int, str]] = {}  # a channel shuffle half done
        self.splits: dict[fx.Node, str] = {}
        self.unsupported: Counter[tuple[str, str]] = Counter()
        self.refused: dict[fx.Node, str] = {}  # each node counted as unsupported: what it was counted as
        self.stand_in: dict[fx.Node, fx.Node] = {}  # a refused op's non-tensor result (a tuple): the tensor before it
        self.notes: list[str] = []
        self.source = ""

    # what is known of a node
    def shape(self, node: fx.Node) -> tuple[int, ...] | None:
        meta = node.meta.get("tensor_meta")
        return tuple(int(d) for d in meta.shape) if meta is not None and hasattr(meta, "shape") else None

    def hwc(self, node: fx.Node) -> tuple[int, int, int]:
        s = self.shape(node)
        assert s is not None
        if len(s) == 4:
            return (s[2], s[3], s[1]) if self.layout.get(node, "nchw") == "nchw" else (s[1], s[2], s[3])
        if len(s) == 3:
            return (1, s[1], s[2])
        return (1, 1, s[-1])

    def owners(self, node: fx.Node) -> tuple[tuple[str, str], ...]:
        stack = node.meta.get("nn_module_stack") or {}
        return tuple((path, cls.__name__ if isinstance(cls, type) else str(cls).rsplit(".", 1)[-1].strip("'>"))
                     for path, cls in stack.values())

    def where(self, node: fx.Node) -> str:
        owners = self.owners(node)
        return owners[-1][0] if owners else "(the model's forward)"

    # making nodes
    def new(self, node: fx.Node, op: str, inputs: tuple[fx.Node, ...], layer: Layer | None = None,
            layout: str | None = None, **more: Any) -> str:
        rank = len(self.shape(node) or ())
        if layout is None:
            layout = "flat" if rank == 2 else "seq" if rank == 3 else self.layout.get(inputs[0], "nchw") \
                if inputs else "nchw"
        self.layout[node] = layout
        shape = self.hwc(node) if rank else None
        made = self.graph.add(Node(node.name, op, tuple(self.tensor[i] for i in inputs), layer, self.owners(node),
                                   shape=shape, **more))
        self.tensor[node] = made.name
        return made.name

    def alias(self, node: fx.Node, source: fx.Node, layout: str | None = None) -> None:
        """``node`` holds the values of ``source`` (a permute, a contiguous): nothing new is counted."""
        self.tensor[node] = self.tensor[source]
        self.layout[node] = layout or self.layout.get(source, "nchw")

    def layer(self, node: fx.Node, x: fx.Node, layer: Layer, own: bool = False) -> None:
        self.new(node, "layer", (x,), layer, own=own)

    def refuse(self, node: fx.Node, what: str) -> None:
        """Count ``node`` as unsupported; keep it as an ``uncounted`` layer for allow_uncounted."""
        source = node.args[0] if node.args else None
        if name_of(node.target) == "getitem" and source in self.stand_in:
            what = self.refused[source]  # an element of a refused op's tuple (attention's output): that op
        else:
            self.unsupported[(what, self.where(node))] += 1
        self.refused[node] = what
        inputs = tuple(dict.fromkeys(self.stand_in.get(a, a) for a in nodes(node.args, node.kwargs)
                                     if a in self.tensor or a in self.stand_in))
        if not inputs:  # made from the model's own tensors only (a class token): nothing on the input's path
            self.notes.append(f"left uncounted: {what} at {self.where(node)}, on the model's own tensors only")
            return
        if self.shape(node) is None:
            self.stand_in[node] = inputs[0]
            return
        from ..layers.uncounted import Uncounted

        self.layout[node] = self.layout.get(inputs[0], "nchw") if inputs else "nchw"
        h, w, c = self.hwc(node)
        before = self.hwc(inputs[0]) if inputs and self.shape(inputs[0]) is not None else None
        # Sizes kept from the input are left out, so that the formulas stay in H and W past it.
        size = None if before is not None and before[:2] == (h, w) else (h, w)
        out = None if before is not None and before[2] == c else c
        self.new(node, "layer", inputs[:1], Uncounted(size, out, Word(word(what))), own=node.op == "call_module")

    # the pass
    def run(self) -> Graph:
        for node in self.traced.graph.nodes:
            if node.op == "placeholder":
                if self.source:
                    raise SymcnnError(f"the model takes more than one input ('{node.name}'); symcnn reads models of one")
                self.source = self.new(node, "input", (), layout="nchw")
            elif node.op == "output":
                self.outputs(node.args[0])
            elif node.op == "call_module":
                self.call_module(node)
            elif node.op != "get_attr":
                self.call(node)
        return self.graph

    def outputs(self, value: Any) -> None:
        found: list[str] = []

        def visit(v: Any) -> None:
            if isinstance(v, fx.Node):
                if v in self.tensor:
                    found.append(self.tensor[v])
                elif v.op == "call_function" and isinstance(v.target, type):  # a named tuple of outputs
                    for a in (*v.args, *v.kwargs.values()):
                        visit(a)
            elif isinstance(v, dict):
                for key in sorted(v, key=lambda k: k != "out"):
                    visit(v[key])
            elif isinstance(v, (tuple, list)):
                for a in v:
                    visit(a)

        visit(value)
        if not found:
            raise SymcnnError("the model's output is not a tensor symcnn could follow")
        self.graph.outputs = list(dict.fromkeys(found))

    def call_module(self, node: fx.Node) -> None:
        module = self.traced.get_submodule(node.target)
        op = type(module).__name__
        x = node.args[0] if node.args else None
        if not isinstance(x, fx.Node) or x not in self.tensor:
            return self.refuse(node, op)
        if op == "Upsample":
            return self.interpolate(node, x, {"size": module.size, "scale_factor": module.scale_factor,
                                              "mode": module.mode})
        kind = IMPORTS.get(op)
        if kind is None:
            return self.refuse(node, op)
        last = self.layout.get(x) in ("nhwc", "seq")
        try:
            if op == "Linear" and last:
                layer: Layer = Conv((1, 1), module.out_features, bias=module.bias is not None, form="last")
            elif last and op != "LayerNorm" and kind.flat == "spatial":
                return self.refuse(node, f"{op} on channels-last values")
            elif op == "LayerNorm" and not last and self.layout.get(x) != "flat":
                return self.refuse(node, "LayerNorm over the channels and the positions")
            else:
                layer = kind.imported(Module(module, self.hwc(x)[2]))
                if op == "LayerNorm" and last and "last" in layer.forms:
                    layer = dataclasses.replace(layer, form="last")
        except LayerProblem as problem:
            return self.refuse(node, f"{op} ({problem})")
        self.layer(node, x, layer, own=True)
        return None

    def call(self, node: fx.Node) -> None:
        target = node.target
        name = name_of(target)
        first = node.args[0] if node.args else None
        if isinstance(first, fx.Node) and first in self.pending:
            return self.view(node, name, first)
        if target is operator.getitem and first in self.splits:
            self.new(node, "part", (), index=node.args[1], layout=self.layout[first])
            self.graph.nodes[node.name].inputs = (self.splits[first],)
            return None
        tensors = [a for a in nodes(node.args, node.kwargs) if a in self.tensor]
        if self.shape(node) is None and target not in CHUNK and name not in CHUNK:
            return None  # sizes, asserts and other values that are not tensors
        if not tensors:
            return self.refuse(node, name)
        x = tensors[0]
        if target in ADD or name in ADD:
            if len(tensors) == 2 and all(isinstance(a, fx.Node) for a in node.args[:2]):
                self.new(node, "add", (tensors[0], tensors[1]))
                return None
            return self.refuse(node, "add of a constant")
        if target in MUL or name in MUL:
            return self.multiply(node, tensors)
        if target in CAT:
            return self.concatenate(node)
        if target in CHUNK or name in CHUNK:
            return self.chunk(node, x)
        if name in ("permute", "contiguous", "view", "reshape", "transpose", "flatten"):
            return self.view(node, name, x)
        if name == "mean":
            dims = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
            if self.layout.get(x) == "nchw" and isinstance(dims, (list, tuple)) and {d % 4 for d in dims} == {2, 3}:
                return self.layer(node, x, GlobalPool("avg", form="mean"))
            return self.refuse(node, "mean over other dimensions than height and width")
        if name in ("interpolate", "upsample"):
            return self.interpolate(node, x, Call(name, target, node.args, node.kwargs, 0).arguments)
        if target is operator.getitem:
            return self.crop(node, x)
        kind = IMPORTS.get(name)
        if kind is None:
            return self.refuse(node, name)
        if self.layout.get(x) in ("nhwc", "seq") and name != "layer_norm" and kind.flat == "spatial":
            return self.refuse(node, f"{name} on channels-last values")
        call = Call(name, target, node.args, node.kwargs, self.hwc(x)[2])
        if name == "softmax" and isinstance(call.get("dim"), int):
            call.arguments["dim"] = call.get("dim") % len(self.shape(x) or (0,))
        try:
            layer = kind.imported(call)
        except LayerProblem as problem:
            return self.refuse(node, f"{name} ({problem})")
        if "function" in layer.forms:  # F.relu, not nn.ReLU: the tools that hook modules do not see it
            layer = dataclasses.replace(layer, form="function")
        self.layer(node, x, layer)
        return None

    def multiply(self, node: fx.Node, tensors: list[fx.Node]) -> None:
        if len(tensors) == 2:
            self.new(node, "mul", (tensors[0], tensors[1]))
            return
        x = tensors[0]
        factors = [a for a in node.args if isinstance(a, fx.Node) and a.op == "get_attr"]
        if len(factors) == 1:
            weight = attribute(self.traced, factors[0].target)
            if isinstance(weight, torch.nn.Parameter) and weight.numel() == self.hwc(x)[2] and \
                    self.shape(node) == self.shape(x):
                self.layer(node, x, LayerScale())
                return
        self.refuse(node, "multiplication by a constant")

    def concatenate(self, node: fx.Node) -> None:
        parts = node.args[0] if node.args else node.kwargs.get("tensors")
        dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
        first = parts[0]
        rank = len(self.shape(first) or ())
        channel = {"nchw": 1, "nhwc": 3, "flat": 1, "seq": 2}[self.layout.get(first, "nchw")]
        if dim % rank != channel or not all(p in self.tensor for p in parts):
            return self.refuse(node, "concatenation along another dimension than the channels")
        self.new(node, "cat", tuple(parts))
        return None

    def chunk(self, node: fx.Node, x: fx.Node) -> None:
        op = name_of(node.target)
        call = Call(op, node.target, node.args, node.kwargs, 0)
        dim = call.get("dim", 0)
        channels = self.hwc(x)[2]
        if op == "chunk":
            count = call.get("chunks")
        else:
            pieces = call.get("split_size_or_sections")
            count = len(pieces) if isinstance(pieces, (list, tuple)) and len(set(pieces)) == 1 else \
                channels // pieces if isinstance(pieces, int) and channels % pieces == 0 else None
        if self.layout.get(x) != "nchw" or dim % 4 != 1 or not isinstance(count, int) or channels % count:
            return self.refuse(node, "a split into unequal parts or along another dimension than the channels")
        self.splits[node] = self.graph.add(Node(node.name, "split", (self.tensor[x],), owners=self.owners(node))).name
        self.layout[node] = "nchw"
        return None

    def view(self, node: fx.Node, name: str, x: fx.Node) -> None:
        before, after = self.shape(x), self.shape(node)
        assert before is not None and after is not None
        if x in self.pending:
            source, groups, step = self.pending[x]
            if name == "contiguous":
                self.pending[node] = self.pending[x]
            elif name == "transpose" and step == "grouped" and {d % 5 for d in node.args[1:3]} == {1, 2}:
                self.pending[node] = (source, groups, "swapped")
            elif name in ("view", "reshape", "flatten") and step == "swapped" and after == self.shape(source):
                self.layer(node, source, Shuffle(groups))
            else:
                self.refuse(node, "a reshape of grouped channels")
            return None
        layout = self.layout.get(x, "nchw")
        if name == "contiguous":
            return self.alias(node, x)
        if name == "permute":
            dims = tuple(d % len(before) for d in (node.args[1:] if len(node.args) > 2 else node.args[1]))
            if dims == (0, 2, 3, 1) and layout == "nchw":
                return self.alias(node, x, "nhwc")
            if dims == (0, 3, 1, 2) and layout == "nhwc":
                return self.alias(node, x, "nchw")
            return self.refuse(node, f"permute{dims}")
        if name in ("view", "reshape") and len(after) == 5 and len(before) == 4 and layout == "nchw" and \
                after[0] == before[0] and after[1] * after[2] == before[1] and after[3:] == before[2:]:
            self.pending[node] = (x, after[1], "grouped")
            return None
        if len(before) == 4 and len(after) == 2 and after[1] == before[1] * before[2] * before[3] and \
                layout == "nchw":
            if name in ("view", "reshape") and all(isinstance(a, int) and a != -1 for a in node.args[2:]):
                self.notes.append(f"{self.where(node)}: a reshape to {after[1]} values, which holds only at the "
                                  "traced size (written as flatten)")
            return self.layer(node, x, FLATTEN)
        if after == before:
            return self.alias(node, x)
        return self.refuse(node, f"{name} from {list(before)} to {list(after)}")

    def interpolate(self, node: fx.Node, x: fx.Node, arguments: dict[str, Any]) -> None:
        mode = arguments.get("mode", "nearest")
        size, factor = arguments.get("size"), arguments.get("scale_factor")
        if mode not in ("nearest", "bilinear") or self.layout.get(x) != "nchw":
            return self.refuse(node, f"interpolate ({mode})")
        if size is None and factor is not None:
            factors = set(factor) if isinstance(factor, (tuple, list)) else {factor}
            if len(factors) == 1 and mode == "nearest":
                return self.layer(node, x, Upsample(exact(Fraction(repr(float(next(iter(factors))))))))
            return self.refuse(node, f"interpolate by a scale factor ({mode})")
        target = shape_source(size)
        h, w, _ = self.hwc(node)
        fixed = Resize((h, w), Word(mode))
        if target is not None and target in self.tensor:
            self.new(node, "layer", (x,), fixed, target=self.tensor[target])
        else:
            self.notes.append(f"{self.where(node)}: a resize to {h}x{w}, which holds only at the traced size")
            self.layer(node, x, fixed)
        return None

    def crop(self, node: fx.Node, x: fx.Node) -> None:
        index = node.args[1]
        before, after = self.shape(x), self.shape(node)
        if self.layout.get(x) == "nchw" and isinstance(index, tuple) and len(index) == 4 and before and after and \
                all(isinstance(i, slice) for i in index) and before[:2] == after[:2]:
            self.notes.append(f"{self.where(node)}: a crop to {after[2]}x{after[3]}, which holds only at the "
                              "traced size")
            return self.layer(node, x, Crop((after[2], after[3])))
        return self.refuse(node, "indexing")
