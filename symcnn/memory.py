"""Memory: the inference peak of sequential execution, and what training holds.

Training memory is parameters + buffers + gradients + optimizer state + the tensors
the forward pass saves for the backward pass. What each operation saves is what
PyTorch 2.13 saves (:data:`SAVES`; ``tests/test_memory.py`` checks each rule and
whole networks against ``torch.autograd.graph.saved_tensors_hooks``). A tensor
saved by several operations counts once, and a saved parameter or buffer counts
zero times (it is counted as a parameter or a buffer). Every figure is exact: a
SymPy expression in the network's names and the batch size, an integer once
values are given.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass, replace

import sympy
from sympy import Expr

from .analysis import DTYPE_BYTES, Analysis, Block
from .errors import SymcnnError
from .layers import FC, ONE, ZERO, AdaptivePool, BatchNorm, Conv, Deconv, Elementwise

OPTIMIZER_COPIES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}
"""Copies of the parameters an optimizer keeps: SGD none, SGD with momentum its momentum buffer,
Adam and AdamW the first and second moments (``exp_avg``, ``exp_avg_sq``)."""

STEP_BYTES = 4
"""Adam and AdamW also keep a step counter per parameter tensor: a 0-dim float32 tensor."""

AMP_DTYPES = ("fp16", "bf16")
DEVICES = ("cuda", "cpu")
INDEX_BYTES = 8  # max-pool indices are int64
FP32 = 4
LRN_SIZE = 5  # the window of nn.LocalResponseNorm as symcnn.to_torch builds it
NUM_BATCHES_TRACKED_BYTES = 8  # the int64 counter every BatchNorm keeps as a buffer

SAVES: dict[str, tuple[str, ...]] = {
    "input": (),
    "conv": ("input",),
    "dwconv": ("input",),
    "deconv": ("input",),
    "fc": ("input",),
    "bn": ("input", "mean and invstd"),
    "maxpool": ("input", "indices"),
    "avgpool": ("input",),
    "apool": ("input",),
    "gap": (),
    "gmp": ("input", "indices"),
    "lrn": ("input", "lrn"),
    "upsample": (),
    "relu": ("output",),
    "sigmoid": ("output",),
    "tanh": ("output",),
    "softmax": ("output",),
    "lrelu": ("input",),
    "relu6": ("input",),
    "gelu": ("input",),
    "silu": ("input",),
    "swish": ("input",),
    "hswish": ("input",),
    "hsigmoid": ("input",),
    "dropout": ("mask",),
    "flatten": (),
    "id": (),
    "add": (),
    "concat": (),
    "mul": ("operands",),
}
"""What each layer and join saves for the backward pass, besides its parameters.

``input``/``output``: the tensor it reads or writes (training runs activations out of
place: an in-place ReLU6 saves a copy of its input, an in-place ReLU its output, the same
bytes); ``indices``: an int64 tensor the size of the output; ``mean and invstd``: two
per-channel vectors (fp32 on CUDA, the parameter dtype on CPU); ``mask``: the dropout
mask, the size of the input (bool on CUDA, where dropout is one fused kernel; the
activation dtype on CPU, where it is input × noise); ``operands``: both factors; ``lrn``:
what ``F.local_response_norm`` keeps: the padded squares (C + 4 channels), k + α·mean and
its β-th power. Layers that run before anything needs a gradient save nothing, except
that conv, fc and bn save their input for their weights' gradient. Under autocast, conv,
deconv and fc also save the low-precision copy of their weight (fc only when its input
needs a gradient), and the low-precision copy of an fp32 input.
"""

VIEWS = frozenset({"flatten", "id"})  # no new tensor in training either: torch returns a view or the input

@dataclass(frozen=True)
class Saved:
    """A tensor saved for the backward pass: which row saves it, what it is, its size.

    ``times`` is how many such tensors there are: 1, or a symbolic repeat count.
    """

    row: int
    what: str
    elements: Expr
    itemsize: int
    times: Expr = ONE

    @property
    def bytes(self) -> Expr:
        return self.elements * self.itemsize * self.times


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
    live: dict[int, Expr]
    saved: tuple[Saved, ...]

    @property
    def batch(self) -> Expr:
        return self.analysis.batch_size

    @property
    def _param_size(self) -> int:
        return DTYPE_BYTES[self.analysis.dtype]

    @property
    def param_bytes(self) -> Expr:
        return self.analysis.totals["params"] * self._param_size

    @property
    def buffer_bytes(self) -> Expr:
        """BatchNorm running mean and variance, and each BatchNorm's int64 ``num_batches_tracked``."""
        norms = sympy.Add(*(row.count for row in self.analysis.rows if row.kind == "bn"))
        return self.analysis.totals["buffers"] * self._param_size + NUM_BATCHES_TRACKED_BYTES * norms

    @property
    def activation_peak_bytes(self) -> Expr:
        """The most activation bytes alive at once in an inference forward pass (with autocast's weight copies)."""
        return peak(self.live.values())

    @property
    def inference_peak_bytes(self) -> Expr:
        return self.param_bytes + self.buffer_bytes + self.activation_peak_bytes

    @property
    def gradient_bytes(self) -> Expr:
        return self.param_bytes

    @property
    def optimizer_bytes(self) -> Expr:
        state = OPTIMIZER_COPIES[self.optimizer] * self.param_bytes
        if self.optimizer in ("adam", "adamw"):
            tensors = sympy.Add(*((int(row.weights != 0) + int(row.biases != 0)) * row.count
                                  for row in self.analysis.rows))
            state += STEP_BYTES * tensors
        return state

    @property
    def saved_bytes(self) -> Expr:
        """Bytes of the distinct tensors the forward pass saves for backward."""
        return sympy.expand(sympy.Add(*(s.bytes for s in self.saved)))

    @property
    def training_bytes(self) -> Expr:
        return self.param_bytes + self.buffer_bytes + self.gradient_bytes + self.optimizer_bytes + self.saved_bytes

    def saved_by_row(self) -> dict[int, Expr]:
        """Saved bytes per row, 0 for most (a tensor saved by several rows counts at the first)."""
        out = {row.index: ZERO for row in self.analysis.rows}
        for s in self.saved:
            out[s.row] += s.bytes
        return out

    def formulas(self) -> dict[str, Expr]:
        """:meth:`totals` of the network as declared, with no values bound."""
        return memory(self.analysis.symbolic, self.optimizer, self.amp, self.device).totals()

    def parts(self) -> list[tuple[str, str]]:
        """(key of :meth:`totals`, label) of each figure, in the order to show them."""
        peak = "activations and autocast's weight copies at the peak" if self.amp else _LABELS["activation_peak_bytes"]
        return ([("inference_peak_bytes", "inference peak")]
                + [(key, "  " + _LABELS[key]) for key in ("param_bytes", "buffer_bytes")]
                + [("activation_peak_bytes", "  " + peak), ("training_bytes", "training")]
                + [(key, "  " + _LABELS[key]) for key in ("param_bytes", "buffer_bytes", "gradient_bytes",
                                                          "optimizer_bytes", "saved_activation_bytes")])

    def describe(self) -> str:
        """The settings in words.

        >>> import symcnn
        >>> memory(symcnn.load("vgg16").analyze(batch="N").at(N=8), amp="bf16").describe()
        'batch N = 8, adam, fp32 weights, bf16 activations (amp), cuda'
        """
        dtype, declared = self.analysis.dtype, self.analysis.batch
        batch = f"{declared}" if declared == self.batch else f"{declared} = {self.batch}"
        precision = f"{dtype} weights, {self.amp} activations (amp)" if self.amp else dtype
        return f"batch {batch}, {self.optimizer}, {precision}, {self.device}"

    def totals(self) -> dict[str, Expr]:
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


def peak(values: Iterable[Expr]) -> Expr:
    """The largest of ``values``: a number, or a SymPy ``Max`` of the candidates no other one dominates.

    SymPy's own ``Max`` compares every pair through its assumptions system, which takes minutes
    for a GoogLeNet; dropping a candidate that another exceeds term by term is fast and exact.

    >>> H = sympy.Symbol("H", positive=True)
    >>> peak([3 * H, 2 * H + 1, H**2, 1])
    Max(3*H, H**2, 2*H + 1)
    """
    terms = {value: sympy.expand(value).as_coefficients_dict() for value in values}
    nonnegative: dict[Expr, bool] = {}

    def at_least(a: Expr, b: Expr) -> bool:
        """Whether a >= b for every value of the names: each term of a - b is non-negative."""
        for term in terms[a].keys() | terms[b].keys():
            if terms[a].get(term, 0) < terms[b].get(term, 0):
                return False
            if term not in nonnegative:
                nonnegative[term] = bool(term.is_nonnegative)
            if not nonnegative[term] and terms[a].get(term, 0) != terms[b].get(term, 0):
                return False
        return True

    kept: list[Expr] = []
    for value in terms:
        if not any(at_least(k, value) for k in kept):
            kept = [k for k in kept if not at_least(value, k)] + [value]
    if all(k.is_Number for k in kept):
        return max(kept)
    return kept[0] if len(kept) == 1 else sympy.Max(*kept, evaluate=False)


_LABELS = {
    "param_bytes": "parameters",
    "buffer_bytes": "buffers",
    "activation_peak_bytes": "activations at the peak",
    "gradient_bytes": "gradients",
    "optimizer_bytes": "optimizer state",
    "saved_activation_bytes": "saved for backward",
}

_AUTOCAST = frozenset({"conv", "dwconv", "deconv", "fc"})  # the layers autocast runs in low precision


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
    saved = _Training(analysis, amp, device).run_all(analysis.tree)
    return Memory(analysis, optimizer, amp, device, live, saved)


@dataclass(frozen=True, eq=False)
class _Value:
    """A tensor of the forward pass; identity is the object (two equal sizes are two tensors)."""

    elements: Expr
    itemsize: int
    grad: bool = False


class _Flow:
    """What a walk over the network needs to know: the rows, and the element size of each tensor."""

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        self.rows = analysis.rows
        self.amp = amp
        self.device = device
        self.param_size = DTYPE_BYTES[analysis.dtype]
        self.compute_size = DTYPE_BYTES[amp] if amp else self.param_size

    def output_size(self, kind: str, x: _Value) -> int:
        """Bytes per element of a layer's output (under autocast, conv, deconv and fc compute in low precision)."""
        if kind in _AUTOCAST:
            return self.compute_size
        # Autocast runs these in fp32: LRN's pow (and on CPU its average pool), and on CUDA softmax and upsampling.
        if self.amp and (kind == "lrn" or (self.device == "cuda" and kind in ("softmax", "upsample"))):
            return FP32
        return x.itemsize


class _Inference(_Flow):
    """Live bytes per row, for sequential execution where in-place layers make no tensor.

    Under autocast the low-precision copies of conv and fc weights and biases are cached
    from their first use to the end of the forward pass: they count from their row on.
    """

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        super().__init__(analysis, amp, device)
        self.live: dict[int, Expr] = {}
        self.cache: Expr = ZERO

    def run_all(self, tree: Block) -> dict[int, Expr]:
        x = _Value(self.rows[0].activations, self.param_size)
        self.live[0] = _bytes({x})
        self.run(tree, x, frozenset())
        return dict(sorted(self.live.items()))

    def cached(self, block: Block) -> Expr:
        """Bytes of the weight copies autocast makes for the layers of ``block``, once each."""
        if block.kind == "layer":
            row = self.rows[block.row]  # type: ignore[index]
            return row.params * self.compute_size if self.amp and row.kind in _AUTOCAST else ZERO
        return sympy.Add(*(self.cached(part) for part in block.parts)) * block.count

    def transient(self, block: Block, x: _Value) -> Expr:
        """Bytes a layer holds only while it runs, besides its input and output.

        Max pooling computes its int64 indices even in inference; F.local_response_norm holds the
        squares and the padded squares at once, and later four tensors of its input's size (in
        ``div.mul(alpha).add(k)``, the input, ``div``, and both results); autocast casts the input
        of conv and fc.
        """
        kind = block.layer.kind  # type: ignore[union-attr]
        if kind in ("maxpool", "gmp"):
            return self.rows[block.row].activations * INDEX_BYTES  # type: ignore[index]
        if kind == "lrn":
            c = block.input[2]
            return sympy.Max(x.elements / c * (c + LRN_SIZE - 1), 2 * x.elements) * x.itemsize
        if kind in _AUTOCAST and x.itemsize != self.compute_size:
            return x.elements * self.compute_size
        return ZERO

    def run(self, block: Block, x: _Value, held: frozenset[_Value]) -> _Value:
        """Run ``block`` on ``x`` while ``held`` (tensors a branch point keeps for its join) stay alive."""
        if block.kind == "layer":
            assert block.layer is not None and block.row is not None
            size = self.output_size(block.layer.kind, x)
            out = x if block.layer.in_place and size == x.itemsize else _Value(self.rows[block.row].activations, size)
            self.cache += self.cached(block)
            self.live[block.row] = _bytes(held | {x, out}) + self.transient(block, x) + self.cache
            return out
        if block.kind == "repeat" and block.count != 1:
            return self.repeat(block, x, held)
        if block.kind in ("seq", "repeat", "call"):
            for part in block.parts:
                x = self.run(part, x, held)
            return x
        # res, concat, mul: x and the finished branches wait for the join (as in eager PyTorch, where
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


def _bytes(values: set[_Value] | frozenset[_Value]) -> Expr:
    return sympy.Add(*(v.elements * v.itemsize for v in values))


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
        self.events.append((value, Saved(row, what, value.elements, value.itemsize)))

    def run(self, block: Block, x: _Value) -> _Value:
        if block.kind == "layer":
            return self.layer(block, x)
        if block.kind == "repeat" and block.count != 1:
            return self.repeat(block, x)
        if block.kind in ("seq", "repeat", "call"):
            for part in block.parts:
                x = self.run(part, x)
            return x
        assert block.row is not None
        if block.kind == "res":
            main = self.run(block.parts[0], x)
            outs = [main, self.run(block.parts[1], x) if len(block.parts) > 1 else x]
        elif block.kind == "concat":
            outs = [self.run(part, x) for part in block.parts]
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
        kind = layer.kind
        if kind in VIEWS:
            return x
        params = isinstance(layer, (Conv, Deconv, FC, BatchNorm))
        autocast = kind in _AUTOCAST
        elements = x.elements if isinstance(layer, Elementwise) else row.activations
        out = _Value(elements, self.output_size(kind, x), params or x.grad)
        if not (params or x.grad):
            return out  # no graph: nothing requires a gradient yet
        for part in SAVES[kind]:
            if part == "input":
                if isinstance(layer, AdaptivePool) and _is_one(row.output):
                    continue
                cast = autocast and x.itemsize != self.compute_size
                self.save(_Value(x.elements, self.compute_size) if cast else x, block.row, "input")
            elif part == "output":
                self.save(out, block.row, "output")
            elif part == "indices":
                self.save(_Value(row.activations, INDEX_BYTES), block.row, "indices")
            elif part == "mean and invstd":
                stats = max(FP32, self.param_size) if self.device == "cuda" else self.param_size
                self.save(_Value(2 * row.weights, stats), block.row, part)
            elif part == "mask":
                self.save(_Value(x.elements, 1 if self.device == "cuda" else x.itemsize), block.row, "mask")
            else:
                self.lrn(block, x)
        if autocast and self.amp and (kind != "fc" or x.grad):
            self.save(_Value(row.weights, self.compute_size), block.row, "weight copy")
        return out

    def lrn(self, block: Block, x: _Value) -> None:
        """F.local_response_norm: the padded squares, k + alpha*mean and its beta-th power (fp32 under amp)."""
        c = block.input[2]
        inner = FP32 if self.amp else x.itemsize
        padded = inner if self.device == "cpu" else x.itemsize
        assert block.row is not None
        self.save(_Value(x.elements / c * (c + LRN_SIZE - 1), padded), block.row, "padded squares")
        self.save(_Value(x.elements, inner), block.row, "k + alpha*mean")
        self.save(_Value(x.elements, inner), block.row, "its power")


def _pattern(events: list[tuple[_Value, Saved]], x: _Value, out: _Value) -> list[tuple[object, ...]]:
    """What a run of a body saved, with its input and output as roles and other tensors numbered."""
    numbers: dict[int, int] = {}
    roles = [("in" if v is x else "out" if v is out else numbers.setdefault(id(v), len(numbers))) for v, _ in events]
    return [(role, s.row, s.what, s.elements, s.itemsize) for role, (_, s) in zip(roles, events)]


def _is_one(shape: tuple[Expr, ...]) -> bool:
    """Whether an apool output is 1x1 (torch then takes a mean, which saves nothing)."""
    one = sympy.Eq(shape[0] * shape[1], 1)
    if one not in (sympy.true, sympy.false):
        raise SymcnnError(f"the training memory of an apool to {shape[0]}x{shape[1]} depends on whether that is 1x1",
                          hint="give its size a value")
    return bool(one)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command-line options of the memory section."""
    group = parser.add_argument_group("memory (inference peak and training memory)")
    group.add_argument("--memory", action="store_true", help="add the memory section")
    group.add_argument("--optimizer", choices=list(OPTIMIZER_COPIES),
                       help="optimizer state: sgd none, momentum 1 copy of the parameters, adam and adamw 2 and a "
                            "step counter per tensor (default adam; implies --memory)")
    group.add_argument("--amp", choices=AMP_DTYPES,
                       help="mixed precision: activations in this type, fp32 master weights (implies --memory)")
    group.add_argument("--device", choices=DEVICES,
                       help="where training runs: the dropout mask and the BatchNorm statistics differ "
                            "(default cuda; implies --memory)")


def from_arguments(analysis: Analysis, args: argparse.Namespace) -> Memory | None:
    """The memory the options ask for, or None when they ask for none."""
    if not (args.memory or args.optimizer or args.amp or args.device):
        return None
    return memory(analysis, args.optimizer or "adam", args.amp, args.device or "cuda")
