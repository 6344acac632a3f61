"""One pass over a network: thread the shape through it and record a row per layer instance and join.

The walk binds every value in an environment of names: numbers where the user gave them,
SymPy symbols where not. With every name a number, the whole walk runs on Python ints.
Inside a definition and in each branch, ``H_in``, ``W_in`` and ``C_in`` are bound to the
shape entering it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import arith, limits, values
from .arith import Bound
from .constants import INPUT_SIZES
from .errors import SymcnnError
from .expansion import Expansion
from .layers import Cost, Layer, LayerProblem, Shape, Span
from .layers.base import count, elements
from .network import Call, Choice, Concat, Gate, Network, Repeat, Residual, Seq, Side, Split
from .tree import JOINS, Block, BlockKind, Row, shape_text
from .values import Apply, ValueProblem

__all__ = ["JOINS", "Block", "BlockKind", "Row", "Walk", "replaced", "shape_text", "walk"]


_LARGEST = 10**limits.MAX_DIGITS // 10
"""Integers below this in magnitude have at most MAX_DIGITS digits: no need to measure them."""


class Walk:
    """One pass over the network, appending rows and returning blocks."""

    def __init__(self, network: Network, batch: Bound) -> None:
        self.network = network
        self.batch = batch
        self.rows: list[Row] = []
        self.costs: dict[tuple[Layer, Shape], Cost] = {}
        self.names: dict[Layer, tuple[str, str]] = {}
        self.static: dict[int, bool] = {}
        self.measured: set[Any] = set()
        self.terms = 0
        self.side = 0
        self.target: Shape | None = None

    def fail(self, message: str, span: Span, hint: str | None = None, kind: str = "error") -> SymcnnError:
        return SymcnnError(message, kind, self.network.text, span.line, span.column, hint)

    def emit(self, name: str, kind: str, cost: Cost, mult: Bound, depth: int, layer: Layer | None = None) -> int:
        if len(self.rows) >= limits.MAX_LAYERS:
            raise SymcnnError(f"the network expands to more than {limits.MAX_LAYERS:,} layers", "limit")
        macs, activations = cost.macs, cost.activations
        if self.batch != 1:
            macs, activations = self.batch * macs, self.batch * activations
        row = Row(output=cost.output, weights=cost.weights, biases=cost.biases, buffers=cost.buffers, macs=macs,
                  activations=activations, weight_formula=cost.weight_formula, index=len(self.rows), name=name,
                  kind=kind, count=mult, depth=depth, layer=layer, side=self.side > 0)
        self.rows.append(row)
        self.measure(row)
        return row.index

    def measure(self, row: Row) -> None:
        """Refuse a row with a number past MAX_DIGITS, or that takes the totals past MAX_TERMS terms.

        Growth compounds (upsample x1000, concat(id | id) x30000, powers of sums in sizes);
        caught here, it costs an error message instead of minutes of arithmetic, a total too
        long to print, or an expansion that never ends. Rows share their values, so each
        distinct value is measured once.
        """
        values_ = (*row.output, row.weights, row.biases, row.buffers, row.macs, row.activations)
        if all(type(v) is int and -_LARGEST < v < _LARGEST for v in values_):
            return
        found = zip(("output height", "output width", "output channels", "weights", "biases", "buffers", "MACs",
                     "activations"), values_)
        for what, value in found:
            if arith.numeric(value):
                try:
                    values.check_digits(value)
                except ValueProblem as problem:
                    raise SymcnnError(f"layer {row.index} '{row.name}' is too large ({what}: {problem})",
                                      "limit") from None
                continue
            value = value * row.count if row.count != 1 else value
            if value in self.measured:
                continue
            self.measured.add(value)
            from . import symbolic

            try:
                self.terms += symbolic.measure(value, limits.MAX_TERMS)
            except ValueProblem as problem:
                raise SymcnnError(f"layer {row.index} '{row.name}' is too large ({what}: {problem})",
                                  "limit") from None
            if self.terms > limits.MAX_TERMS:
                raise SymcnnError(f"layer {row.index} '{row.name}': the symbolic totals would have more than "
                                  f"{limits.MAX_TERMS:,} terms when multiplied out", "limit",
                                  hint="give the input size and the values of the names (--at, --set)")

    def join(self, kind: BlockKind, shape: Shape, mult: Bound, depth: int) -> int:
        name = JOINS[kind]
        return self.emit(name, name, Cost(shape, 0, 0, 0, 0, elements(shape)), mult, depth)

    def node(self, node: Any, shape: Shape, env: dict[str, Bound], mult: Bound, depth: int) -> tuple[Shape, Block]:
        if isinstance(node, Layer):
            return self.layer(node, shape, env, mult, depth)
        if isinstance(node, Seq):
            parts = []
            out = shape
            for item in node.items:
                out, part = self.node(item, out, env, mult, depth)
                parts.append(part)
            return out, Block(BlockKind.SEQ, shape, tuple(parts))
        if isinstance(node, Repeat):
            return self.repeat(node, shape, env, mult, depth)
        if isinstance(node, Call):
            return self.call(node, shape, env, mult, depth)
        if isinstance(node, Choice):
            chosen = self.chosen(node, env)
            if chosen is None:
                return shape, Block(BlockKind.SEQ, shape, ())
            return self.node(chosen, shape, env, mult, depth)
        inner = _entering(env, shape)
        if isinstance(node, Residual):
            main, main_block = self.branch(node.main, shape, inner, mult, depth + 1, None)
            parts = [main_block]
            other = shape
            if node.shortcut:
                other, short_block = self.branch(node.shortcut, shape, inner, mult, depth + 1, main)
                parts.append(short_block)
            self.agree(main, other, node.span, "res: the branch output", "the shortcut output", range(3))
            return main, Block(BlockKind.RES, shape, tuple(parts), row=self.join(BlockKind.RES, main, mult, depth + 1))
        if isinstance(node, (Concat, Split)):
            kind = BlockKind.CONCAT if isinstance(node, Concat) else BlockKind.SPLIT
            branch_input = shape
            if kind is BlockKind.SPLIT:
                part = arith.div(shape[2], len(node.branches))
                if arith.numeric(part) and type(part) is not int:
                    raise self.fail(f"split: {arith.text(shape[2])} channels do not split into {len(node.branches)} "
                                    "equal parts", node.span)
                branch_input = (shape[0], shape[1], part)
                inner = _entering(env, branch_input)
            results = [self.branch(node.branches[0], branch_input, inner, mult, depth + 1, None)]
            results += [self.branch(branch, branch_input, inner, mult, depth + 1, results[0][0])
                        for branch in node.branches[1:]]
            outs = [out for out, _ in results]
            for i, out in enumerate(outs[1:], 2):
                self.agree(outs[0], out, node.span, f"{kind}: branch 1 output", f"branch {i} output", range(2))
            joined = (outs[0][0], outs[0][1], arith.total([out[2] for out in outs]))
            row = self.join(kind, joined, mult, depth + 1)
            return joined, Block(kind, shape, tuple(block for _, block in results), row=row)
        if isinstance(node, Gate):
            gate, body = self.branch(node.body, shape, inner, mult, depth + 1, None)
            parts, x = (body,), shape
            if node.other is not None:
                x, other = self.branch(node.other, shape, inner, mult, depth + 1, gate)
                parts = (body, other)
                if x[0] == 1 and x[1] == 1 and not (gate[0] == 1 and gate[1] == 1):
                    gate, x = x, gate
            if not (gate[0] == 1 and gate[1] == 1 and arith.same(gate[2], x[2])):
                what = "its input (or 1x1xC)" if node.other is None else "the second branch output (or 1x1xC)"
                self.agree(gate, x, node.span, "mul: the gate output", what, range(3))
            return x, Block(BlockKind.MUL, shape, parts, row=self.join(BlockKind.MUL, x, mult, depth + 1))
        assert isinstance(node, Side)
        on = self.value(node.on, env, node.span)
        if not arith.numeric(on):
            raise self.fail(f"side[on={values.text(node.on)}] needs a value: 0 leaves the side output out",
                            node.span, hint=f"--set {values.text(node.on)}=1")
        if on == 0:
            return shape, Block(BlockKind.SIDE, shape, ())
        self.side += 1
        try:
            _, body = self.branch(node.body, shape, inner, mult, depth + 1, None)
        finally:
            self.side -= 1
        return shape, Block(BlockKind.SIDE, shape, (body,))

    def chosen(self, node: Choice, env: dict[str, Bound]) -> Seq | None:
        """The branch an ``if`` takes: its condition must be a number."""
        condition = self.value(node.condition, env, node.span)
        if not arith.numeric(condition):
            raise self.fail(f"if{{{values.text(node.condition)}}} needs a value for the names of its condition",
                            node.span)
        return node.then if condition != 0 else node.otherwise

    def branch(self, node: Any, shape: Shape, env: dict[str, Bound], mult: Bound, depth: int,
               target: Shape | None) -> tuple[Shape, Block]:
        """A branch of a join; ``target``, for a later branch, is the first branch's output (crop, resize)."""
        outer, self.target = self.target, target
        try:
            return self.node(node, shape, env, mult, depth)
        finally:
            self.target = outer

    def layer(self, layer: Layer, shape: Shape, env: dict[str, Bound], mult: Bound,
              depth: int) -> tuple[Shape, Block]:
        static = self.static.get(id(layer))
        if static is None:
            static = self.static[id(layer)] = not layer.has_names()
        try:
            bound = layer if static else layer.bind(env)
            if self.target is not None:
                bound = bound.fit(self.target)
        except LayerProblem as problem:
            raise self.fail(f"layer {len(self.rows)} '{layer.word}': {problem}", layer.span) from None
        except ValueProblem as problem:
            raise self.fail(f"layer {len(self.rows)} '{layer.word}': {problem}", layer.span,
                            kind=problem.kind) from None
        except KeyError as missing:
            raise self.fail(f"layer {len(self.rows)} '{layer.word}': the name {missing} has no value here",
                            layer.span) from None
        names = self.names.get(bound)
        if names is None:
            names = self.names[bound] = (bound.notation(), bound.kind)
        # A repeated block (bottleneck(256) x35) meets the same layer on the same input again and
        # again: its cost, the heavy part of a symbolic walk, is worked out once.
        key = (bound, shape)
        cost = self.costs.get(key)
        if cost is None:
            try:
                cost = bound.cost(shape)
            except (LayerProblem, ValueProblem) as problem:
                raise self.fail(f"layer {len(self.rows)} '{names[0]}' (input {shape_text(shape)}): {problem}",
                                layer.span, kind=problem.kind) from None
            if not all(type(v) is int for v in (*cost.output, cost.weights, cost.biases, cost.buffers, cost.macs,
                                                cost.activations)):
                cost = Cost(tuple(arith.norm(d) for d in cost.output),  # type: ignore[arg-type]
                            *(arith.norm(getattr(cost, k)) for k in
                              ("weights", "biases", "buffers", "macs", "activations")), cost.weight_formula)
            self.costs[key] = cost
        row = self.emit(names[0], names[1], cost, mult, depth, bound)
        return cost.output, Block(BlockKind.LAYER, shape, layer=bound, row=row)

    def repeat(self, node: Repeat, shape: Shape, env: dict[str, Bound], mult: Bound,
               depth: int) -> tuple[Shape, Block]:
        times = self.value(node.count, env, node.span)
        try:
            count(times, "the repeat count")
        except LayerProblem as problem:
            raise self.fail(str(problem), node.span) from None
        if arith.numeric(times):
            if len(self.rows) + times > limits.MAX_LAYERS:
                raise self.fail(f"x{times} expands to more than {limits.MAX_LAYERS:,} layers", node.span,
                                "write the count as a name, x{n}, to have the costs multiplied instead of unrolled")
            parts = []
            out = shape
            for i in range(times):
                out, part = self.node(node.body, out, env if node.index is None else {**env, node.index: i}, mult,
                                      depth)
                parts.append(part)
            return out, Block(BlockKind.REPEAT, shape, tuple(parts), name=f"x{times}")
        if node.index is not None:
            raise self.fail(f"x{{{arith.text(times)}}} as {node.index} needs a number of times: the instances are "
                            "numbered", node.span, hint="give the count a value")
        out, body = self.node(node.body, shape, env, mult * times, depth)
        if not all(arith.same(a, b) for a, b in zip(out, shape)):
            raise self.fail(
                f"a symbolic repeat x{{{arith.text(times)}}} needs an item that keeps its input shape; "
                f"this one maps {shape_text(shape)} to {shape_text(out)}", node.span,
                "repeat it a literal number of times, or move the layers that change the shape out of the repeat")
        return out, Block(BlockKind.REPEAT, shape, (body,), name=f"x{{{arith.text(times)}}}", count=times)

    def value(self, value: Any, env: dict[str, Bound], span: Span) -> Bound:
        try:
            return arith.evaluate(value, env)
        except ValueProblem as problem:
            raise self.fail(str(problem), span, kind=problem.kind) from None
        except KeyError as missing:
            raise self.fail(f"the name {missing} has no value here", span) from None

    def call(self, node: Call, shape: Shape, env: dict[str, Bound], mult: Bound,
             depth: int) -> tuple[Shape, Block]:
        if depth >= limits.MAX_NESTING:
            raise self.fail(f"definitions and brackets nest more than {limits.MAX_NESTING} deep", node.span)
        target = self.resolve(node, env)
        if isinstance(target, Layer):
            return self.layer(target, shape, env, mult, depth)
        args = tuple(self.argument(a, env, node.span) for a in target.args)
        definition = self.network.definition(target.name)
        inner = {**env, **dict(zip(definition.params, args))}
        out, body = self.node(definition.body, shape, _entering(inner, shape), mult, depth + 1)
        name = f"{target.name}({', '.join(_argument(a) for a in args)})" if args else target.name
        return out, Block(BlockKind.CALL, shape, (body,), name=name)

    def argument(self, value: Any, env: dict[str, Bound], span: Span) -> Bound:
        """A call's argument: a number or formula, or a block (passed on as it is, also through a parameter)."""
        if type(value) is Apply:
            return value
        if type(value) is values.Name and type(env.get(value.name)) is Apply:
            return env[value.name]
        return self.value(value, env, span)

    def resolve(self, node: Call, env: dict[str, Bound]) -> Call | Layer:
        """What a call runs: a definition, or the block a parameter was given (a layer word or a definition)."""
        bound = env.get(node.name) if node.name not in self.network._definitions else None
        if bound is None:
            return node
        if type(bound) is not Apply:
            raise self.fail(f"'{node.name}' is {arith.text(bound)}, a number: a block argument needs a layer or a "
                            "definition, e.g. relu or se", node.span)
        from .syntax import layer_kind
        from .syntax.build import Fail, make_layer

        found = layer_kind(bound.name)
        if found is not None:
            if bound.args:
                raise self.fail(f"'{bound.name}' is a layer: it takes no arguments", node.span)
            kind, word, digits = found
            try:
                return make_layer(kind, word, digits, None, None, None, [], node.span, bound.name.lower())
            except Fail as fail:
                raise self.fail(fail.message, node.span, fail.hint) from None
        if bound.name not in self.network._definitions:
            raise self.fail(f"'{node.name}' is given '{bound.name}', which is neither a layer nor a definition",
                            node.span)
        if bound.args and node.args:
            raise self.fail(f"'{node.name}' is the block {values.text(bound)}, which has its arguments already",
                            node.span)
        args = bound.args or node.args
        definition = self.network.definition(bound.name)
        if len(args) != len(definition.params):
            raise self.fail(f"'{bound.name}' takes {len(definition.params)} arguments, but is given "
                            f"{len(args)}", node.span)
        return Call(bound.name, args, span=node.span)

    def agree(self, a: Shape, b: Shape, span: Span, what_a: str, what_b: str, dims: range) -> None:
        if all(arith.same(a[i], b[i]) for i in dims):
            return
        undecided = any(not arith.numeric(arith.norm(a[i] - b[i])) for i in dims)
        hint = ("the shapes may agree only for some input sizes: give sizes (--at) or state divisibility "
                "(--divisible)") if undecided else None
        raise self.fail(f"{what_a} is {shape_text(a)} but {what_b} is {shape_text(b)}", span, hint)


def _entering(env: dict[str, Bound], shape: Shape) -> dict[str, Bound]:
    """``env`` with H_in, W_in and C_in bound to the shape entering a block."""
    return {**env, **dict(zip(INPUT_SIZES, shape))}


def _argument(value: Bound) -> str:
    return values.text(value) if type(value) is Apply else arith.text(value)


def walk(network: Network, env: dict[str, Bound], shape: Shape, batch: Bound) -> tuple[list[Row], Block]:
    """The rows and the execution tree of ``network`` on an input of ``shape``, names bound in ``env``."""
    walker = Walk(network, batch)
    walker.emit("input", "input", Cost(shape, 0, 0, 0, 0, elements(shape)), 1, 0)
    env = _entering(env, shape)
    if Expansion(walker).count(network.body, env, 0) > limits.MAX_LAYERS:
        raise SymcnnError(f"the network expands to more than {limits.MAX_LAYERS:,} layers", "limit",
                          hint="write repeat counts as names, x{n}, to have the costs multiplied instead of unrolled")
    _, tree = walker.node(network.body, shape, env, 1, 0)
    return walker.rows, tree


def replaced(row: Row, fn: Any) -> Row:
    """The row with every value passed through ``fn`` (the weight formula as it is)."""
    return dataclasses.replace(row, output=tuple(fn(d) for d in row.output), weights=fn(row.weights),
                               biases=fn(row.biases), buffers=fn(row.buffers), macs=fn(row.macs),
                               activations=fn(row.activations))
