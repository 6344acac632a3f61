"""Memory: the inference peak of sequential execution, and what training holds.

Training memory is parameters + buffers + gradients + optimizer state + the tensors
the forward pass saves for the backward pass. What each operation saves is what
PyTorch 2.13 saves: each layer kind says it (``saves`` and ``saved`` in
:mod:`symcnn.layers`); ``tests/test_memory.py`` checks each rule and whole networks
against ``torch.autograd.graph.saved_tensors_hooks``. A tensor saved by several
operations counts once, and a saved parameter or buffer counts zero times (it is counted
as a parameter or a buffer). Every figure is exact: an int at concrete sizes, a SymPy
expression in the network's names and the batch size otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from . import arith
from .analysis import Analysis
from .arith import Bound
from .constants import DTYPE_BYTES
from .errors import SymcnnError
from .layers import Layer, LayerProblem
from .layers.base import FP32
from .walk import Block, BlockKind

OPTIMIZER_COPIES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}
"""Copies of the parameters an optimizer keeps: SGD none, SGD with momentum its momentum buffer,
Adam and AdamW the first and second moments (``exp_avg``, ``exp_avg_sq``)."""

STEP_BYTES = 4
"""Adam and AdamW also keep a step counter per parameter tensor: a 0-dim float32 tensor."""

AMP_DTYPES = ("fp16", "bf16")
DEVICES = ("cuda", "cpu")
NUM_BATCHES_TRACKED_BYTES = 8  # the int64 counter every norm with running statistics keeps as a buffer
JOIN_SAVES = {BlockKind.RES: "nothing", BlockKind.CONCAT: "nothing", BlockKind.SPLIT: "nothing",
              BlockKind.MUL: "both operands"}


@dataclass(frozen=True)
class Saved:
    """A tensor saved for the backward pass: which row saves it, what it is, its size.

    ``times`` is how many such tensors there are: 1, or a symbolic repeat count.
    """

    row: int
    what: str
    elements: Bound
    itemsize: int
    times: Bound = 1

    @property
    def bytes(self) -> Bound:
        return self.elements * self.itemsize * self.times


def _sum(values: Iterable[Bound]) -> Bound:
    return arith.total(list(values))


@dataclass(frozen=True)
class Memory:
    """Inference and training memory of an analysed network, in bytes.

    >>> import symcnn
    >>> m = memory(symcnn.parse("input 8x8x3\\nconv3-4, relu, pool2, fc-10").analyze(batch=2), "sgd")
    >>> m.live  # bytes of activations alive while each row runs
    {0: 1536, 1: 3584, 2: 2048, 3: 3584, 4: 592}
    >>> m.saved_bytes  # the conv input, the relu output, the pool indices, the fc input
    5120
    """

    analysis: Analysis
    optimizer: str
    amp: str | None
    device: str
    live: dict[int, Bound]
    saved: tuple[Saved, ...]

    @property
    def batch(self) -> Bound:
        return self.analysis.batch_size

    @property
    def _param_size(self) -> int:
        return DTYPE_BYTES[self.analysis.dtype]

    @property
    def _params(self) -> Bound:
        side = self.analysis.side_totals
        return self.analysis.totals["params"] + (side["params"] if side else 0)

    @property
    def param_bytes(self) -> Bound:
        return self._params * self._param_size

    @property
    def buffer_bytes(self) -> Bound:
        """Running statistics of the norms, and the int64 ``num_batches_tracked`` each such norm keeps."""
        rows = self.analysis.rows
        norms = _sum(row.count for row in rows if row.buffers != 0)
        return _sum(row.buffers * row.count for row in rows) * self._param_size + NUM_BATCHES_TRACKED_BYTES * norms

    @property
    def activation_peak_bytes(self) -> Bound:
        """The most activation bytes alive at once in an inference forward pass (with autocast's weight copies)."""
        return peak(self.live.values())

    @property
    def inference_peak_bytes(self) -> Bound:
        return self.param_bytes + self.buffer_bytes + self.activation_peak_bytes

    @property
    def gradient_bytes(self) -> Bound:
        return self.param_bytes

    @property
    def optimizer_bytes(self) -> Bound:
        state = OPTIMIZER_COPIES[self.optimizer] * self.param_bytes
        if self.optimizer in ("adam", "adamw"):
            tensors = _sum((int(row.weights != 0) + int(row.biases != 0)) * row.count for row in self.analysis.rows)
            state += STEP_BYTES * tensors
        return state

    @property
    def saved_bytes(self) -> Bound:
        """Bytes of the distinct tensors the forward pass saves for backward."""
        total = _sum(s.bytes for s in self.saved)
        if arith.numeric(total):
            return total
        import sympy

        return arith.norm(sympy.expand(total))

    @property
    def training_bytes(self) -> Bound:
        return self.param_bytes + self.buffer_bytes + self.gradient_bytes + self.optimizer_bytes + self.saved_bytes

    def saved_by_row(self) -> dict[int, Bound]:
        """Saved bytes per row, 0 for most (a tensor saved by several rows counts at the first)."""
        out: dict[int, Bound] = {row.index: 0 for row in self.analysis.rows}
        for s in self.saved:
            out[s.row] += s.bytes
        return out

    def formulas(self) -> dict[str, Bound]:
        """:meth:`totals` of the network as declared, with no values bound."""
        return memory(self.analysis.symbolic, self.optimizer, self.amp, self.device).totals()

    def parts(self) -> list[tuple[str, str]]:
        """(key of :meth:`totals`, label) of each figure, in the order to show them."""
        peak_label = "activations and autocast's weight copies at the peak" if self.amp else \
            LABELS["activation_peak_bytes"]
        return ([("inference_peak_bytes", "inference peak")]
                + [(key, "  " + LABELS[key]) for key in ("param_bytes", "buffer_bytes")]
                + [("activation_peak_bytes", "  " + peak_label), ("training_bytes", "training")]
                + [(key, "  " + LABELS[key]) for key in ("param_bytes", "buffer_bytes", "gradient_bytes",
                                                         "optimizer_bytes", "saved_activation_bytes")])

    def describe(self) -> str:
        """The settings in words.

        >>> import symcnn
        >>> memory(symcnn.load("vgg16").analyze(batch="N").at(N=8), amp="bf16").describe()
        'batch N = 8, adam, fp32 weights, bf16 activations (amp), cuda'
        """
        dtype, declared = self.analysis.dtype, self.analysis.batch
        shown = arith.text(declared) if arith.numeric(declared) else declared.name  # type: ignore[union-attr]
        batch = shown if arith.numeric(declared) else f"{shown} = {arith.text(self.batch)}" \
            if arith.numeric(self.batch) else shown
        precision = f"{dtype} weights, {self.amp} activations (amp)" if self.amp else dtype
        return f"batch {batch}, {self.optimizer}, {precision}, {self.device}"

    def totals(self) -> dict[str, Bound]:
        """Every figure by name: the keys of the JSON ``memory`` object."""
        return {
            "param_bytes": self.param_bytes,
            "buffer_bytes": self.buffer_bytes,
            "activation_peak_bytes": self.activation_peak_bytes,
            "inference_peak_bytes": self.inference_peak_bytes,
            "gradient_bytes": self.gradient_bytes,
            "optimizer_bytes": self.optimizer_bytes,
            "saved_activation_bytes": self.saved_bytes,
            "training_bytes": self.training_bytes,
        }


def peak(values: Iterable[Bound]) -> Bound:
    """The largest of ``values``: a number, or an exact SymPy ``Max`` (see :func:`symcnn.symbolic.peak`).

    >>> peak([3, 7, 5])
    7
    """
    found = list(values)
    if all(map(arith.numeric, found)):
        return max(found)
    from .symbolic import peak as symbolic_peak

    return symbolic_peak(found)


LABELS = {
    "param_bytes": "parameters",
    "buffer_bytes": "buffers",
    "activation_peak_bytes": "activations at the peak",
    "gradient_bytes": "gradients",
    "optimizer_bytes": "optimizer state",
    "saved_activation_bytes": "saved for backward",
}


def memory(analysis: Analysis, optimizer: str = "adam", amp: str | None = None, device: str = "cuda") -> Memory:
    """The memory of ``analysis`` at its batch size, dtype and values.

    ``optimizer`` is sgd, momentum, adam or adamw; ``amp`` (fp16 or bf16) runs the
    activations in that type with master weights in the analysis dtype (fp32); ``device``
    is cuda or cpu (they differ in the dropout mask and the BatchNorm statistics).

    >>> import symcnn
    >>> m = memory(symcnn.load("vgg16").analyze(batch="N", divisible=32), "sgd", device="cpu")
    >>> m.saved_bytes
    1458*H*N*W + 98304*N
    >>> memory(m.analysis.at("224x224x3", N=1), "sgd", device="cpu").saved_bytes
    73254912
    """
    if optimizer not in OPTIMIZER_COPIES:
        raise SymcnnError(f"unknown optimizer '{optimizer}'; choose one of {', '.join(OPTIMIZER_COPIES)}")
    if amp is not None and amp not in AMP_DTYPES:
        raise SymcnnError(f"unknown amp type '{amp}'; choose one of {', '.join(AMP_DTYPES)}")
    if amp is not None and analysis.dtype != "fp32":
        raise SymcnnError(f"mixed precision keeps fp32 master weights; --amp needs --dtype fp32, not {analysis.dtype}")
    if device not in DEVICES:
        raise SymcnnError(f"unknown device '{device}'; choose one of {', '.join(DEVICES)}")
    live = _Inference(analysis, amp, device).run_all(analysis.tree)
    try:
        saved = _Training(analysis, amp, device).run_all(analysis.tree)
    except LayerProblem as problem:
        raise SymcnnError(str(problem)) from None
    return Memory(analysis, optimizer, amp, device, live, saved)


@dataclass(frozen=True, eq=False)
class _Value:
    """A tensor of the forward pass; identity is the object (two equal sizes are two tensors).

    ``base`` is the tensor a view looks into (a chunk of ``split``): saving a view keeps its
    base's whole storage alive, so that is what counts.
    """

    elements: Bound
    itemsize: int
    grad: bool = False
    base: _Value | None = None

    @property
    def storage(self) -> _Value:
        return self if self.base is None else self.base.storage


class _Flow:
    """What a walk over the network needs to know: the rows, and the element size of each tensor."""

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        self.rows = analysis.rows
        self.amp = amp
        self.device = device
        self.param_size = DTYPE_BYTES[analysis.dtype]
        self.compute_size = DTYPE_BYTES[amp] if amp else self.param_size

    def output_size(self, layer: Layer, x: _Value) -> int:
        """Bytes per element of a layer's output (under autocast, conv, deconv and fc compute in low precision)."""
        if layer.autocast == "low":
            return self.compute_size
        if self.amp and (layer.autocast == "fp32" or (layer.autocast == "fp32 on cuda" and self.device == "cuda")):
            return FP32
        return x.itemsize


class _Inference(_Flow):
    """Live bytes per row, for sequential execution where in-place layers make no tensor.

    Under autocast the low-precision copies of conv and fc weights and biases are cached
    from their first use to the end of the forward pass: they count from their row on.
    Side outputs stay alive to the end of the pass, as the model returns them.
    """

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        super().__init__(analysis, amp, device)
        self.live: dict[int, Bound] = {}
        self.cache: Bound = 0
        self.kept: frozenset[_Value] = frozenset()

    def run_all(self, tree: Block) -> dict[int, Bound]:
        x = _Value(self.rows[0].activations, self.param_size)
        self.live[0] = _bytes({x})
        self.run(tree, x, frozenset())
        return dict(sorted(self.live.items()))

    def cached(self, block: Block) -> Bound:
        """Bytes of the weight copies autocast makes for the layers of ``block``, once each."""
        if block.kind is BlockKind.LAYER:
            row = self.rows[block.row]  # type: ignore[index]
            return row.params * self.compute_size if self.amp and row.layer.autocast == "low" else 0  # type: ignore[union-attr]
        return _sum(self.cached(part) for part in block.parts) * block.count

    def transient(self, block: Block, x: _Value) -> Bound:
        """Bytes a layer holds only while it runs, besides its input and output (and autocast's cast input)."""
        layer, row = block.layer, self.rows[block.row]  # type: ignore[index]
        assert layer is not None
        extra = layer.transient(block.input, row.output, x.elements, x.itemsize, row)
        if layer.autocast == "low" and x.itemsize != self.compute_size:
            extra += x.elements * self.compute_size
        return extra

    def run(self, block: Block, x: _Value, held: frozenset[_Value]) -> _Value:
        """Run ``block`` on ``x`` while ``held`` (tensors a branch point keeps for its join) stay alive."""
        held = held | self.kept
        if block.kind is BlockKind.LAYER:
            assert block.layer is not None and block.row is not None
            size = self.output_size(block.layer, x)
            out = x if block.layer.in_place and size == x.itemsize else _Value(self.rows[block.row].activations, size)
            self.cache += self.cached(block)
            self.live[block.row] = _bytes(held | {x, out}) + self.transient(block, x) + self.cache
            return out
        if block.kind is BlockKind.REPEAT and block.count != 1:
            return self.repeat(block, x, held)
        if block.kind in (BlockKind.SEQ, BlockKind.REPEAT, BlockKind.CALL):
            for part in block.parts:
                x = self.run(part, x, held)
            return x
        if block.kind is BlockKind.SIDE:
            self.kept = self.kept | {self.run(block.parts[0], x, held | {x})}
            return x
        # res, concat, mul, split: x and the finished branches wait for the join (as in eager PyTorch, where
        # the combinator's frame holds x until it returns).
        assert block.row is not None
        waiting = held | {x}
        for part in block.parts:
            waiting |= {self.run(part, x, waiting)}
        out = _Value(self.rows[block.row].activations, max(v.itemsize for v in waiting - held))
        self.live[block.row] = _bytes(waiting | {out}) + self.cache
        return out

    def repeat(self, block: Block, x: _Value, held: frozenset[_Value]) -> _Value:
        """A repeat x{n}: each row shows the larger of its first time through and its last.

        The last time, autocast's cache holds the copies of every earlier time; the first time,
        the input may be the fp32 input, which autocast casts. The times between are no larger.
        """
        body, cache = block.parts[0], self.cache
        out = self.run(body, x, held)
        first = dict(self.live)
        self.cache = cache + self.cached(body) * (block.count - 1)
        out = self.run(body, _Value(out.elements, out.itemsize), held)
        self.live = {row: live if first[row] == live else peak([first[row], live]) for row, live in self.live.items()}
        return out


def _bytes(values: set[_Value] | frozenset[_Value]) -> Bound:
    return _sum(v.elements * v.itemsize for v in values)


class _Saving:
    """What a layer's memory rule sees (:class:`symcnn.layers.base.SaveContext`)."""

    def __init__(self, flow: _Training, x: _Value, out: _Value, row: Any) -> None:
        self.flow, self.input, self.output, self.row = flow, x, out, row
        self.device, self.amp = flow.device, flow.amp
        self.param_size, self.compute_size = flow.param_size, flow.compute_size
        self.autocast = row.layer.autocast == "low"

    def new(self, elements: Bound, itemsize: int) -> _Value:
        return _Value(elements, itemsize)

    def saved_input(self) -> _Value:
        """The input as the layer keeps it: autocast keeps the low-precision copy of an fp32 input."""
        x = self.input
        return _Value(x.elements, self.compute_size) if self.autocast and x.itemsize != self.compute_size else x


class _Training(_Flow):
    """The tensors saved for backward, walking the network as PyTorch runs it (out of place)."""

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        super().__init__(analysis, amp, device)
        self.events: list[tuple[_Value, Saved]] = []

    def run_all(self, tree: Block) -> tuple[Saved, ...]:
        self.run(tree, _Value(self.rows[0].activations, self.param_size))
        first: dict[int, Saved] = {}
        for value, saved in self.events:
            first.setdefault(id(value), saved)
        return tuple(first.values())

    def save(self, value: _Value, row: int, what: str) -> None:
        storage = value.storage
        self.events.append((storage, Saved(row, what, storage.elements, storage.itemsize)))

    def run(self, block: Block, x: _Value) -> _Value:
        if block.kind is BlockKind.LAYER:
            return self.layer(block, x)
        if block.kind is BlockKind.REPEAT and block.count != 1:
            return self.repeat(block, x)
        if block.kind in (BlockKind.SEQ, BlockKind.REPEAT, BlockKind.CALL):
            for part in block.parts:
                x = self.run(part, x)
            return x
        if block.kind is BlockKind.SIDE:
            self.run(block.parts[0], x)
            return x
        assert block.row is not None
        if block.kind is BlockKind.RES:
            main = self.run(block.parts[0], x)
            outs = [main, self.run(block.parts[1], x) if len(block.parts) > 1 else x]
        elif block.kind in (BlockKind.CONCAT, BlockKind.SPLIT):
            part_input = x if block.kind is BlockKind.CONCAT else _Value(arith.div(x.elements, len(block.parts)),
                                                                        x.itemsize, x.grad, base=x)
            outs = [self.run(part, part_input) for part in block.parts]
        else:
            gate = self.run(block.parts[0], x)
            outs = [x, gate]
            if gate.grad:
                self.save(x, block.row, "input")
            if x.grad:
                self.save(gate, block.row, "gate")
        return _Value(self.rows[block.row].activations, max(v.itemsize for v in outs), any(v.grad for v in outs))

    def repeat(self, block: Block, x: _Value) -> _Value:
        """A repeat x{n}: the body's own tensors n times; the tensors between iterations n - 1 times."""
        start = len(self.events)
        out = self.run(block.parts[0], x)
        if out is not x and (out.grad, out.itemsize) != (x.grad, x.itemsize):
            # The first time through differs in its input (no gradient yet, or fp32 under amp):
            # fine if the body saves the same tensors from the second time on.
            later = _Value(x.elements, out.itemsize, out.grad)
            mark = len(self.events)
            later_out = self.run(block.parts[0], later)
            same = _pattern(self.events[start:mark], x, out) == _pattern(self.events[mark:], later, later_out)
            del self.events[mark:]
            if not same:
                raise SymcnnError(f"the training memory of the repeat {block.name} differs the first time through "
                                  "(it starts before the first layer with parameters, or on the fp32 input under "
                                  "amp)", hint="give the repeat count a value")
        body = self.events[start:]
        ends = [saved for value, saved in body if value is x or value is out]
        self.events[start:] = [(v, s if v is x or v is out else replace(s, times=s.times * block.count))
                               for v, s in body]
        if ends and out is not x:
            between = _Value(out.elements, out.itemsize, out.grad)
            self.events.append((between, replace(ends[0], elements=out.elements, itemsize=out.itemsize,
                                                 times=block.count - 1)))
        return out

    def layer(self, block: Block, x: _Value) -> _Value:
        layer, row = block.layer, self.rows[block.row]  # type: ignore[index]
        assert layer is not None and block.row is not None
        if layer.view:
            return x
        elements = x.elements if layer.in_place else row.activations
        out = _Value(elements, self.output_size(layer, x), layer.parametric or x.grad)
        if not (layer.parametric or x.grad):
            return out  # no graph: nothing requires a gradient yet
        for what, tensor in layer.saved(_Saving(self, x, out, row)):
            self.save(tensor, block.row, what)
        if self.amp and layer.autocast == "low" and layer.saves_weight_copy(x.grad):
            self.save(_Value(row.weights, self.compute_size), block.row, "weight copy")
        return out


def _pattern(events: list[tuple[_Value, Saved]], x: _Value, out: _Value) -> list[tuple[object, ...]]:
    """What a run of a body saved, with its input and output as roles and other tensors numbered."""
    numbers: dict[int, int] = {}
    roles = [("in" if v is x else "out" if v is out else numbers.setdefault(id(v), len(numbers))) for v, _ in events]
    return [(role, s.row, s.what, s.elements, s.itemsize) for role, (_, s) in zip(roles, events)]


def rules() -> list[tuple[str, str, str]]:
    """(layer, what it saves for backward, PyTorch node) for the README's saved-tensor table, from the registry."""
    from .layers import kinds

    return [(kind.syntax, kind.saves_doc, kind.torch_node) for kind in kinds()  # type: ignore[attr-defined]
            if kind.saves_doc]
