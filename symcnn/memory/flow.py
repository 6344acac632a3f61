"""The walks behind :mod:`symcnn.memory`: the tensors alive in inference, the tensors saved in training."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .. import arith
from ..analysis import Analysis
from ..arith import Bound
from ..constants import DTYPE_BYTES
from ..errors import SymcnnError
from ..layers import Layer
from ..layers.base import FP32
from ..walk import Block, BlockKind
from .saved import Saved, peak, total


@dataclass(frozen=True, eq=False)
class Value:
    """A tensor of the forward pass; identity is the object (two equal sizes are two tensors).

    ``base`` is the tensor a view looks into (a chunk of ``split``): saving a view keeps its
    base's whole storage alive, so that is what counts.
    """

    elements: Bound
    itemsize: int
    grad: bool = False
    base: Value | None = None

    @property
    def storage(self) -> Value:
        return self if self.base is None else self.base.storage


class Flow:
    """What a walk over the network needs to know: the rows, and the element size of each tensor."""

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        self.rows = analysis.rows
        self.amp = amp
        self.device = device
        self.param_size = DTYPE_BYTES[analysis.dtype]
        self.compute_size = DTYPE_BYTES[amp] if amp else self.param_size

    def output_size(self, layer: Layer, x: Value) -> int:
        """Bytes per element of a layer's output (under autocast, conv, deconv and fc compute in low precision)."""
        if layer.autocast == "low":
            return self.compute_size
        if layer.autocast == "promote":  # times a parameter: the wider of the two types
            return max(x.itemsize, self.param_size)
        if self.amp and (layer.autocast == "fp32" or (layer.autocast == "fp32 on cuda" and self.device == "cuda")):
            return FP32
        return x.itemsize


class Inference(Flow):
    """Live bytes per row, for sequential execution where in-place layers make no tensor.

    Under autocast the low-precision copies of conv and fc weights and biases are cached
    from their first use to the end of the forward pass: they count from their row on.
    Side outputs stay alive to the end of the pass, as the model returns them.
    """

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        super().__init__(analysis, amp, device)
        self.live: dict[int, Bound] = {}
        self.cache: Bound = 0
        self.kept: frozenset[Value] = frozenset()

    def run_all(self, tree: Block) -> dict[int, Bound]:
        x = Value(self.rows[0].activations, self.param_size)
        self.live[0] = _bytes({x})
        self.run(tree, x, frozenset())
        return dict(sorted(self.live.items()))

    def cached(self, block: Block) -> Bound:
        """Bytes of the weight copies autocast makes for the layers of ``block``, once each."""
        if block.kind is BlockKind.LAYER:
            row = self.rows[block.row]  # type: ignore[index]
            return row.params * self.compute_size if self.amp and row.layer.autocast == "low" else 0  # type: ignore[union-attr]
        return total(self.cached(part) for part in block.parts) * block.count

    def transient(self, block: Block, x: Value) -> Bound:
        """Bytes a layer holds only while it runs, besides its input and output (and autocast's cast input)."""
        layer, row = block.layer, self.rows[block.row]  # type: ignore[index]
        assert layer is not None
        extra = layer.transient(block.input, row.output, x.elements, x.itemsize, row)
        if layer.autocast == "low" and x.itemsize != self.compute_size:
            extra += x.elements * self.compute_size
        return extra

    def run(self, block: Block, x: Value, held: frozenset[Value]) -> Value:
        """Run ``block`` on ``x`` while ``held`` (tensors a branch point keeps for its join) stay alive."""
        held = held | self.kept
        if block.kind is BlockKind.LAYER:
            assert block.layer is not None and block.row is not None
            size = self.output_size(block.layer, x)
            out = x if block.layer.in_place and size == x.itemsize else Value(self.rows[block.row].activations, size)
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
            if block.parts:  # side[on=0] has none
                self.kept = self.kept | {self.run(block.parts[0], x, held | {x})}
            return x
        # res, concat, mul, split: x and the finished branches wait for the join (as in eager PyTorch, where
        # the combinator's frame holds x until it returns).
        assert block.row is not None
        waiting = held | {x}
        for part in block.parts:
            waiting |= {self.run(part, x, waiting)}
        out = Value(self.rows[block.row].activations, max(v.itemsize for v in waiting - held))
        self.live[block.row] = _bytes(waiting | {out}) + self.cache
        return out

    def repeat(self, block: Block, x: Value, held: frozenset[Value]) -> Value:
        """A repeat x{n}: each row shows the larger of its first time through and its last.

        The last time, autocast's cache holds the copies of every earlier time; the first time,
        the input may be the fp32 input, which autocast casts. The times between are no larger.
        """
        body, cache = block.parts[0], self.cache
        out = self.run(body, x, held)
        first = dict(self.live)
        self.cache = cache + self.cached(body) * (block.count - 1)
        out = self.run(body, Value(out.elements, out.itemsize), held)
        self.live = {row: live if first[row] == live else peak([first[row], live]) for row, live in self.live.items()}
        return out


def _bytes(values: set[Value] | frozenset[Value]) -> Bound:
    return total(v.elements * v.itemsize for v in values)


class Saving:
    """What a layer's memory rule sees (:class:`symcnn.layers.base.SaveContext`)."""

    def __init__(self, flow: Training, x: Value, out: Value, row: Any) -> None:
        self.flow, self.input, self.output, self.row = flow, x, out, row
        self.device, self.amp = flow.device, flow.amp
        self.param_size, self.compute_size = flow.param_size, flow.compute_size
        self.autocast = row.layer.autocast == "low"

    def new(self, elements: Bound, itemsize: int) -> Value:
        return Value(elements, itemsize)

    def saved_input(self) -> Value:
        """The input as the layer keeps it: autocast keeps the low-precision copy of an fp32 input."""
        x = self.input
        return Value(x.elements, self.compute_size) if self.autocast and x.itemsize != self.compute_size else x


class Training(Flow):
    """The tensors saved for backward, walking the network as PyTorch runs it (out of place)."""

    def __init__(self, analysis: Analysis, amp: str | None, device: str) -> None:
        super().__init__(analysis, amp, device)
        self.events: list[tuple[Value, Saved]] = []

    def run_all(self, tree: Block) -> tuple[Saved, ...]:
        self.run(tree, Value(self.rows[0].activations, self.param_size))
        first: dict[int, Saved] = {}
        for value, saved in self.events:
            first.setdefault(id(value), saved)
        return tuple(first.values())

    def save(self, value: Value, row: int, what: str) -> None:
        storage = value.storage
        self.events.append((storage, Saved(row, what, storage.elements, storage.itemsize)))

    def run(self, block: Block, x: Value) -> Value:
        if block.kind is BlockKind.LAYER:
            return self.layer(block, x)
        if block.kind is BlockKind.REPEAT and block.count != 1:
            return self.repeat(block, x)
        if block.kind in (BlockKind.SEQ, BlockKind.REPEAT, BlockKind.CALL):
            for part in block.parts:
                x = self.run(part, x)
            return x
        if block.kind is BlockKind.SIDE:
            if block.parts:
                self.run(block.parts[0], x)
            return x
        assert block.row is not None
        if block.kind is BlockKind.RES:
            main = self.run(block.parts[0], x)
            outs = [main, self.run(block.parts[1], x) if len(block.parts) > 1 else x]
        elif block.kind in (BlockKind.CONCAT, BlockKind.SPLIT):
            part_input = x if block.kind is BlockKind.CONCAT else Value(arith.div(x.elements, len(block.parts)),
                                                                        x.itemsize, x.grad, base=x)
            outs = [self.run(part, part_input) for part in block.parts]
        else:  # mul: both factors are saved, each for the other's gradient
            gate = self.run(block.parts[0], x)
            other = self.run(block.parts[1], x) if len(block.parts) > 1 else x
            outs = [other, gate]
            if gate.grad:
                self.save(other, block.row, "input")
            if other.grad:
                self.save(gate, block.row, "gate")
        return Value(self.rows[block.row].activations, max(v.itemsize for v in outs), any(v.grad for v in outs))

    def repeat(self, block: Block, x: Value) -> Value:
        """A repeat x{n}: the body's own tensors n times; the tensors between iterations n - 1 times."""
        start = len(self.events)
        out = self.run(block.parts[0], x)
        if out is not x and (out.grad, out.itemsize) != (x.grad, x.itemsize):
            # The first time through differs in its input (no gradient yet, or fp32 under amp):
            # fine if the body saves the same tensors from the second time on.
            later = Value(x.elements, out.itemsize, out.grad)
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
            between = Value(out.elements, out.itemsize, out.grad)
            self.events.append((between, replace(ends[0], elements=out.elements, itemsize=out.itemsize,
                                                 times=block.count - 1)))
        return out

    def layer(self, block: Block, x: Value) -> Value:
        layer, row = block.layer, self.rows[block.row]  # type: ignore[index]
        assert layer is not None and block.row is not None
        if layer.view:
            return x
        elements = x.elements if layer.in_place else row.activations
        out = Value(elements, self.output_size(layer, x), layer.parametric or x.grad)
        if not (layer.parametric or x.grad):
            return out  # no graph: nothing requires a gradient yet
        for what, tensor in layer.saved(Saving(self, x, out, row)):
            self.save(tensor, block.row, what)
        if self.amp and layer.autocast == "low" and layer.saves_weight_copy(x.grad):
            self.save(Value(row.weights, self.compute_size), block.row, "weight copy")
        return out


def _pattern(events: list[tuple[Value, Saved]], x: Value, out: Value) -> list[tuple[object, ...]]:
    """What a run of a body saved, with its input and output as roles and other tensors numbered."""
    numbers: dict[int, int] = {}
    roles = [("in" if v is x else "out" if v is out else numbers.setdefault(id(v), len(numbers))) for v, _ in events]
    return [(role, s.row, s.what, s.elements, s.itemsize) for role, (_, s) in zip(roles, events)]


