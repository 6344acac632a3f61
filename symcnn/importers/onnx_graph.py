"""ONNX files read with the ``onnx`` package (no runtime): operators to layers, tensor joins to blocks.

Each ONNX operator is translated to the PyTorch module it is exported from (``Conv`` to
``Conv2d`` with ``kernel_size``, ``stride``, …) and read by the layer kind that lists that
module, so a model reads the same from ONNX as from PyTorch. Shapes come from ONNX's shape
inference. Node names hold the module path PyTorch's exporter gives them
(``/layer1/layer1.0/conv1/Conv``), from which the definitions are named. Export a PyTorch
model in training mode (``training=torch.onnx.TrainingMode.TRAINING``) to keep its batch
normalizations: in evaluation mode the exporter folds them into the convolutions.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import SymcnnError
from ..layers import IMPORTS, Layer, LayerProblem
from ..layers.conv import Conv
from ..layers.globalpool import GlobalPool
from ..layers.resize import Resize
from ..layers.scale import LayerScale
from ..layers.shuffle import Shuffle
from ..layers.upsample import Upsample
from ..layers.views import FLATTEN
from ..network import Network
from ..numbers import exact
from ..syntax import parse
from ..values import Word
from .emit import notation
from .graph import Graph, Node, to_items

ACTIVATIONS = {"Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "HardSwish": "Hardswish", "Mish": "Mish",
               "Gelu": "GELU"}
VIEWS = {"Identity", "Dropout"}


class _Attrs:
    """An operator's arguments under their PyTorch names (:class:`symcnn.layers.base.Imported`)."""

    def __init__(self, op: str, channels: int, arguments: dict[str, Any]) -> None:
        self.op = op
        self.channels = channels
        self.arguments = arguments

    def get(self, name: str, default: Any = None) -> Any:
        return self.arguments.get(name, default)


def _pads(pads: list[int] | None) -> tuple[int, int] | None:
    """ONNX's (top, left, bottom, right) as PyTorch's (height, width) padding; None when not symmetric."""
    if not pads:
        return (0, 0)
    top, left, bottom, right = pads
    return (top, left) if (top, left) == (bottom, right) else None


class Reader:
    def __init__(self, model: Any) -> None:
        import onnx
        from onnx import numpy_helper

        self.onnx = onnx
        graph = model.graph
        self.constants: dict[str, Any] = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.shapes: dict[str, tuple[int | str, ...]] = {}
        for info in (*graph.value_info, *graph.input, *graph.output):
            dims = info.type.tensor_type.shape.dim
            self.shapes[info.name] = tuple(d.dim_value if d.HasField("dim_value") else d.dim_param for d in dims)
        self.model = model
        self.graph = Graph()
        self.tensor: dict[str, str] = {}
        self.layout: dict[str, str] = {}
        self.pending: dict[str, tuple[str, int, str]] = {}
        self.splits: dict[str, tuple[str, list[str]]] = {}
        self.unsupported: Counter[tuple[str, str]] = Counter()
        self.notes: list[str] = []
        self.source = ""

    def hwc(self, name: str) -> tuple[int, int, int]:
        s = self.shapes.get(name, ())
        if any(not isinstance(d, int) for d in s):
            raise SymcnnError(f"ONNX's shape inference leaves the shape of '{name}' open ({s}); give the input size")
        if len(s) == 4:
            return (s[2], s[3], s[1]) if self.layout.get(name, "nchw") == "nchw" else (s[1], s[2], s[3])
        if len(s) == 3:
            return (1, s[1], s[2])
        return (1, 1, s[-1])

    def owners(self, node: Any) -> tuple[tuple[str, str], ...]:
        """The module path in the node's name, each module named by its path without the index."""
        scopes = [s for s in node.name.split("/")[1:-1] if s]
        return tuple((s, _cls(s)) for s in scopes)

    def where(self, node: Any) -> str:
        return node.name or node.op_type

    def new(self, node: Any, op: str, inputs: tuple[str, ...], layer: Layer | None = None, layout: str | None = None,
            **more: Any) -> str:
        out = node.output[0]
        rank = len(self.shapes.get(out, ()))
        self.layout[out] = layout or ("flat" if rank == 2 else self.layout.get(inputs[0], "nchw") if inputs else "nchw")
        made = self.graph.add(Node(out, op, tuple(self.tensor[i] for i in inputs), layer, self.owners(node),
                                   shape=self.hwc(out) if rank else None, own=op == "layer", **more))
        self.tensor[out] = made.name
        return made.name

    def alias(self, node: Any, source: str, layout: str | None = None) -> None:
        self.tensor[node.output[0]] = self.tensor[source]
        self.layout[node.output[0]] = layout or self.layout.get(source, "nchw")

    def refuse(self, node: Any, what: str) -> None:
        self.unsupported[(what, self.where(node))] += 1
        inputs = [i for i in node.input if i in self.tensor]
        if node.output and self.shapes.get(node.output[0]):
            from ..layers.uncounted import Uncounted

            self.layout[node.output[0]] = self.layout.get(inputs[0], "nchw") if inputs else "nchw"
            h, w, c = self.hwc(node.output[0])
            self.new(node, "layer", tuple(inputs[:1]), Uncounted((h, w), c, Word(what.split(" ")[0])))

    def attributes(self, node: Any) -> dict[str, Any]:
        return {a.name: self.onnx.helper.get_attribute_value(a) for a in node.attribute}

    def constant(self, name: str) -> Any:
        return self.constants.get(name)

    def run(self) -> Graph:
        graph = self.model.graph
        inputs = [i for i in graph.input if i.name not in self.constants]
        if len(inputs) != 1:
            raise SymcnnError(f"the ONNX graph has {len(inputs)} inputs; symcnn reads models of one")
        self.source = inputs[0].name
        self.layout[self.source] = "nchw"
        self.graph.add(Node(self.source, "input", (), shape=self.hwc(self.source)))
        self.tensor[self.source] = self.source
        for node in graph.node:
            self.read(node)
        self.graph.outputs = [self.tensor[o.name] for o in graph.output if o.name in self.tensor]
        if not self.graph.outputs:
            raise SymcnnError("the ONNX graph's outputs are not tensors symcnn could follow")
        return self.graph

    def read(self, node: Any) -> None:
        op = node.op_type
        a = self.attributes(node)
        tensors = [i for i in node.input if i in self.tensor]
        if op == "Constant":
            from onnx import numpy_helper

            self.constants[node.output[0]] = numpy_helper.to_array(a["value"]) if "value" in a else None
            return
        if not tensors:
            return  # shapes and constants computed from them
        if op == "Shape":
            return
        x = tensors[0]
        if node.output[0] in self.tensor:
            return
        if op in VIEWS:
            return self.alias(node, x)
        if op in ("Add", "Mul"):
            return self.arithmetic(node, op, tensors)
        if op == "Concat":
            if a.get("axis", 0) % len(self.shapes.get(x, (0,) * 4)) != (3 if self.layout[x] == "nhwc" else 1):
                return self.refuse(node, "Concat along another axis than the channels")
            self.new(node, "cat", tuple(tensors))
            return None
        if op == "Split":
            return self.split(node, x, a)
        if op in ("Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze"):
            return self.view(node, op, x, a)
        if op in ("Resize", "Upsample"):
            return self.resize(node, x, a)
        if op == "ReduceMean":
            axes = a.get("axes")
            if axes is None and len(node.input) > 1:
                axes = list(self.constant(node.input[1]))
            if axes is not None and {int(d) % 4 for d in axes} == {2, 3} and self.layout[x] == "nchw":
                return self.leaf(node, x, GlobalPool("avg"))
            return self.refuse(node, "ReduceMean over other axes than height and width")
        translated = self.translate(node, op, a, x)
        if translated is None:
            return self.refuse(node, op)
        name, arguments = translated
        kind = IMPORTS[name]
        if self.layout[x] == "nhwc" and name == "Linear":
            return self.leaf(node, x, Conv((1, 1), arguments["out_features"], bias=arguments["bias"]))
        try:
            layer = kind.imported(_Attrs(name, self.hwc(x)[2], arguments))
        except LayerProblem as problem:
            return self.refuse(node, f"{op} ({problem})")
        return self.leaf(node, x, layer)

    def leaf(self, node: Any, x: str, layer: Layer) -> None:
        self.new(node, "layer", (x,), layer)

    def translate(self, node: Any, op: str, a: dict[str, Any], x: str) -> tuple[str, dict[str, Any]] | None:
        """The PyTorch module an operator is exported from, with its arguments."""
        weight = self.constant(node.input[1]) if len(node.input) > 1 else None
        bias = len(node.input) > 2 and node.input[2] != ""
        window = {"kernel_size": tuple(a.get("kernel_shape", ())), "stride": tuple(a.get("strides", (1, 1))),
                  "dilation": tuple(a.get("dilations", (1, 1)))}
        if op in ("Conv", "ConvTranspose", "MaxPool", "AveragePool"):
            if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                return None
            pads = _pads(a.get("pads"))
            if pads is None:
                return None
            window["padding"] = pads
        if op == "Conv" and weight is not None:
            return "Conv2d", {**window, "out_channels": int(weight.shape[0]), "groups": a.get("group", 1),
                              "bias": bias}
        if op == "ConvTranspose" and weight is not None:
            group = a.get("group", 1)
            return "ConvTranspose2d", {**window, "out_channels": int(weight.shape[1]) * group, "groups": group,
                                       "bias": bias, "output_padding": tuple(a.get("output_padding", (0, 0)))}
        if op == "Gemm" and weight is not None and a.get("alpha", 1.0) == 1.0 and a.get("transA", 0) == 0:
            out = weight.shape[0] if a.get("transB", 0) else weight.shape[1]
            return "Linear", {"out_features": int(out), "bias": bias}
        if op == "BatchNormalization":
            return "BatchNorm2d" if len(self.shapes.get(x, ())) == 4 else "BatchNorm1d", {}
        if op == "MaxPool":
            return "MaxPool2d", {**window, "ceil_mode": bool(a.get("ceil_mode", 0))}
        if op == "AveragePool":
            return "AvgPool2d", {**window, "ceil_mode": bool(a.get("ceil_mode", 0))}
        if op in ("GlobalAveragePool", "GlobalMaxPool"):
            return ("AdaptiveAvgPool2d" if op == "GlobalAveragePool" else "AdaptiveMaxPool2d"), {"output_size": 1}
        if op == "Flatten":
            return "Flatten", {"start_dim": a.get("axis", 1), "end_dim": -1}
        if op in ACTIVATIONS:
            return ACTIVATIONS[op], {}
        if op == "LeakyRelu":
            return "LeakyReLU", {"negative_slope": round(a.get("alpha", 0.01), 6)}
        if op == "Clip":
            low, high = (self.constant(i) if i else None for i in (list(node.input[1:3]) + ["", ""])[:2])
            if low is not None and high is not None and float(low) == 0 and float(high) == 6:
                return "ReLU6", {}
            return None
        if op == "HardSigmoid" and abs(a.get("alpha", 0.2) - 1 / 6) < 1e-6 and a.get("beta", 0.5) == 0.5:
            return "Hardsigmoid", {}
        if op == "Softmax":
            return "Softmax", {"dim": a.get("axis", -1) % max(len(self.shapes.get(x, ())), 1)}
        if op == "LRN":
            return "LocalResponseNorm", {"size": a.get("size")}
        if op == "LayerNormalization" and a.get("axis", -1) in (-1, len(self.shapes.get(x, ())) - 1):
            return "LayerNorm", {"normalized_shape": (self.hwc(x)[2],), "weight": len(node.input) > 1,
                                 "bias": len(node.input) > 2}
        return None

    def arithmetic(self, node: Any, op: str, tensors: list[str]) -> None:
        if len(tensors) == 2:
            self.new(node, op.lower(), tuple(tensors))
            return
        x = tensors[0]
        other = next(i for i in node.input if i != x)
        factor = self.constant(other)
        if op == "Mul" and factor is not None and factor.size == self.hwc(x)[2] and other in {
                t.name for t in self.model.graph.initializer}:
            self.leaf(node, x, LayerScale())
            return
        self.refuse(node, f"{op} with a constant")

    def split(self, node: Any, x: str, a: dict[str, Any]) -> None:
        sizes = a.get("split")
        if sizes is None and len(node.input) > 1 and node.input[1]:
            sizes = list(self.constant(node.input[1]))
        channels = self.hwc(x)[2]
        parts = len(node.output)
        if a.get("axis", 0) % 4 != 1 or self.layout[x] != "nchw" or channels % parts or (
                sizes is not None and len(set(int(s) for s in sizes)) != 1):
            return self.refuse(node, "Split into unequal parts or along another axis than the channels")
        split = self.graph.add(Node(node.name or node.output[0], "split", (self.tensor[x],), owners=self.owners(node)))
        for i, out in enumerate(node.output):
            self.graph.add(Node(out, "part", (split.name,), owners=self.owners(node), index=i,
                                shape=self.hwc(out)))
            self.tensor[out] = out
            self.layout[out] = "nchw"
        return None

    def view(self, node: Any, op: str, x: str, a: dict[str, Any]) -> None:
        before, after = self.shapes.get(x, ()), self.shapes.get(node.output[0], ())
        out = node.output[0]
        if not all(isinstance(d, int) for d in (*before, *after)):
            return self.refuse(node, f"{op} to a shape shape inference leaves open")
        if x in self.pending:
            source, groups, step = self.pending[x]
            if op == "Transpose" and step == "grouped" and list(a.get("perm", ())) == [0, 2, 1, 3, 4]:
                self.pending[out] = (source, groups, "swapped")
            elif op == "Reshape" and step == "swapped" and after == self.shapes.get(source):
                self.leaf(node, source, Shuffle(groups))
            else:
                self.refuse(node, f"{op} of grouped channels")
            return None
        layout = self.layout[x]
        if op == "Transpose":
            perm = list(a.get("perm", ()))
            if perm == [0, 2, 3, 1] and layout == "nchw":
                return self.alias(node, x, "nhwc")
            if perm == [0, 3, 1, 2] and layout == "nhwc":
                return self.alias(node, x, "nchw")
            return self.refuse(node, f"Transpose{tuple(perm)}")
        if op == "Reshape" and len(after) == 5 and len(before) == 4 and layout == "nchw" and \
                after[1] * after[2] == before[1] and after[3:] == before[2:]:
            self.pending[out] = (x, int(after[1]), "grouped")
            return None
        if len(before) == 4 and len(after) == 2 and after[1] == before[1] * before[2] * before[3] and layout == "nchw":
            if op == "Reshape":
                self.notes.append(f"{self.where(node)}: a reshape to {after[1]} values, which holds only at the "
                                  "traced size (written as flatten)")
            return self.leaf(node, x, FLATTEN)
        if after == before or (len(before) == 4 and len(after) == 2 and before[2:] == (1, 1)):
            return self.alias(node, x)
        return self.refuse(node, f"{op} from {list(before)} to {list(after)}")

    def resize(self, node: Any, x: str, a: dict[str, Any]) -> None:
        mode = a.get("mode", b"nearest")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        mode = {"linear": "bilinear"}.get(mode, mode)
        scales = self.constant(node.input[2]) if len(node.input) > 2 and node.input[2] else None
        if scales is None and op_scales(node, self) is not None:
            scales = op_scales(node, self)
        h, w, _ = self.hwc(node.output[0])
        if mode == "nearest" and scales is not None and len(scales) == 4 and scales[2] == scales[3] and \
                list(scales[:2]) == [1, 1]:
            return self.leaf(node, x, Upsample(exact(Fraction(repr(float(scales[2]))))))
        if mode not in ("nearest", "bilinear"):
            return self.refuse(node, f"Resize ({mode})")
        self.notes.append(f"{self.where(node)}: a resize to {h}x{w}, which holds only at the traced size")
        return self.leaf(node, x, Resize((h, w), Word(mode)))


def op_scales(node: Any, reader: Reader) -> Any:
    """The scales of an opset-9 ``Upsample`` (its second input)."""
    if node.op_type == "Upsample" and len(node.input) > 1:
        return reader.constant(node.input[1])
    return None


def _cls(scope: str) -> str:
    """A module's stand-in class name: its path's last part without its index (``layer1.0`` is a ``layer``)."""
    parts = scope.split(".")
    if parts[-1].isdigit():
        return "".join(ch for ch in (parts[-2] if len(parts) > 1 else "block") if not ch.isdigit()) or "block"
    return "Sequential"  # a named part: looked through, as a container


def from_onnx(path: str | Path, input_size: Any = None, allow_uncounted: bool = False) -> Network:
    """The network an ONNX file computes, its height and width left free.

    ``input_size`` (C, H, W) fixes the input where the file leaves its sizes open. Operators symcnn
    cannot count are an error listing each; with ``allow_uncounted`` they are kept as
    ``uncounted`` layers, which every output names.
    """
    try:
        import onnx
    except ImportError:
        raise SymcnnError("reading ONNX files needs the onnx package", hint='pip install "symcnn[onnx]"') from None
    try:
        model = onnx.load(str(path))
    except Exception as error:  # noqa: BLE001 - a file that is not ONNX
        raise SymcnnError(f"{path} is not an ONNX file onnx can read: {error}") from None
    if input_size is not None:
        dims = model.graph.input[0].type.tensor_type.shape.dim
        for dim, value in zip(dims[1:], input_size):
            dim.dim_value = int(value)
    model = onnx.shape_inference.infer_shapes(model)
    reader = Reader(model)
    graph = reader.run()
    items, notes = to_items(graph, reader.source, reader.unsupported, reader.notes, allow_uncounted)
    c = reader.hwc(reader.source)[2]
    return dataclasses.replace(parse(notation(items, c, notes)), notes=tuple(notes))
