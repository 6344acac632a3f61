"""The symbolic analysis: thread shapes through the network and add up the costs.

One walk over the network produces a :class:`Row` per layer instance (and per
input, residual add, concatenation and gate) with exact SymPy expressions; the
totals are sums of the rows. With values bound, every expression is an integer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from typing import Union

import sympy
from sympy import Expr, Integer

from . import limits
from .errors import SymcnnError
from .layers import ONE, ZERO, Cost, Layer, LayerProblem, Shape, Span, count, elements, show
from .network import Call, Concat, Gate, Network, Node, Repeat, Residual, Seq

DTYPE_BYTES = {"fp16": 2, "bf16": 2, "fp32": 4, "fp64": 8}
TOTAL_KEYS = ("params", "weights", "biases", "buffers", "macs", "flops", "activations", "activation_bytes",
              "param_bytes")
Value = Union[int, Fraction, str, Expr]


@dataclass(frozen=True, kw_only=True)
class Row(Cost):
    """One line of the breakdown: a layer instance, the input, or a join (add, concat, mul).

    The costs are the layer's :class:`~symcnn.layers.Cost`. ``count`` is how many times
    they count: 1, or the symbolic count of a repeat such as ``x{n}``. ``macs`` and
    ``activations`` are for the whole batch; ``output`` is the shape of one sample.
    """

    index: int
    name: str
    kind: str
    count: Expr
    depth: int

    @property
    def params(self) -> Expr:
        return self.weights + self.biases


class Analysis:
    """Per-layer rows and totals of a network, symbolic or at given values.

    >>> import symcnn
    >>> a = symcnn.parse("conv3-64 x2, pool2, fc-K").analyze()
    >>> a.totals["params"]
    576*C + 64*K*floor(H/2)*floor(W/2) + K + 36992
    >>> a.at("32x32x3", K=10).totals["params"]
    202570
    """

    def __init__(self, network: Network, values: Mapping[str, Expr], declared: Shape, dtype: str,
                 divisible: int | None, batch: Expr = ONE) -> None:
        self.network = network
        self.values = dict(values)
        self.declared = declared
        self.dtype = dtype
        self.divisible = divisible
        self.batch = batch

    @cached_property
    def _walked(self) -> tuple[Shape, list[Row], Block]:
        # Walked on first use, so that .at() on a network that only works at some sizes never
        # needs the symbolic walk.
        return _walk(self.network, self.values, self.declared, self.divisible, self.batch_size)

    @property
    def batch_size(self) -> Expr:
        """The batch size with values bound (``batch`` is as declared: a number, or a name such as N)."""
        return self.batch.xreplace({s: self.values[s.name] for s in self.batch.free_symbols if s.name in self.values})

    @property
    def input(self) -> Shape:
        """The input shape, with values bound."""
        return self._walked[0]

    @property
    def rows(self) -> list[Row]:
        """One row per layer instance, the input and each join, in execution order."""
        return self._walked[1]

    @property
    def tree(self) -> Block:
        """The network as it runs: see :class:`Block`."""
        return self._walked[2]

    @cached_property
    def totals(self) -> dict[str, Expr]:
        """Totals over all rows, keyed by :data:`TOTAL_KEYS`."""
        sums = {key: sympy.Add(*(getattr(r, key) * r.count for r in self.rows)) for key in
                ("weights", "biases", "buffers", "macs", "activations")}
        sums = {key: sympy.expand(value) for key, value in sums.items()}
        size = DTYPE_BYTES[self.dtype]
        params = sums["weights"] + sums["biases"]
        return {
            "params": params,
            "weights": sums["weights"],
            "biases": sums["biases"],
            "buffers": sums["buffers"],
            "macs": sums["macs"],
            "flops": 2 * sums["macs"],
            "activations": sums["activations"],
            "activation_bytes": size * sums["activations"],
            "param_bytes": size * params,
        }

    @property
    def is_numeric(self) -> bool:
        """True when every total is a number (no names left)."""
        return all(not value.free_symbols for value in self.totals.values())

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        return set().union(*(value.free_symbols for value in self.totals.values()))

    @cached_property
    def symbolic(self) -> Analysis:
        """The network as declared, with no values bound: where :attr:`formulas` come from."""
        if not self.values and self.declared == self.network.input:
            return self
        return analyze(self.network, {}, dtype=self.dtype, divisible=self.divisible, batch=self.batch)

    @property
    def formulas(self) -> dict[str, Expr]:
        return self.symbolic.totals

    def to_text(self) -> str:
        """The terminal table (the CLI's default output)."""
        from .formats import text

        return text.render(self)

    def to_markdown(self, expand: bool = False) -> str:
        """A GitHub Markdown table with totals and conventions (repeated blocks collapsed unless ``expand``)."""
        from .formats import markdown

        return markdown.render(self, expand)

    def to_dict(self) -> dict[str, object]:
        """Plain data: what ``to_json`` serialises."""
        from .formats import json

        return json.to_dict(self)

    def to_json(self) -> str:
        """One JSON object: input, layers, totals, formulas, conventions."""
        from .formats import json

        return json.render(self)

    def to_csv(self) -> str:
        """Every row as CSV (one line per layer instance), a totals line, then the conventions."""
        from .formats import csv

        return csv.render(self)

    def to_latex(self, *, table: bool = True, derive: bool = False, standalone: bool = False, siunitx: bool = False,
                 expand: bool = False, symbols: Mapping[str, str] | None = None, name: str | None = None) -> str:
        r"""LaTeX for a paper: the ``booktabs`` table, the ``align*`` derivation, or a whole document.

        ``symbols`` spells names as LaTeX (``{"a": r"\alpha"}``); see :mod:`symcnn.formats.latex`.

        >>> import symcnn
        >>> "138{,}357{,}544" in symcnn.load("vgg16").analyze().at("224x224x3").to_latex()
        True
        """
        from .formats import latex

        return latex.render(self, table=table, derive=derive, standalone=standalone, siunitx=siunitx,
                            expand=expand, symbols=symbols, name=name)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from .formats import html

        return html.render(self)

    def _repr_latex_(self) -> str:
        from .formats import derivation, tex

        return derivation.summary(tex.Printer(), self)

    def at(self, dims: str | tuple[Value, Value, Value] | None = None, *, batch: Value | None = None,
           **values: Value) -> Analysis:
        """The same network with names bound to exact values, and optionally another input size or batch.

        >>> import symcnn
        >>> symcnn.load("vgg16").analyze().at("224x224x3").totals["params"]
        138357544
        """
        from .syntax import parse_dims

        merged = {**self.values, **{name: _exact(name, value) for name, value in values.items()}}
        if isinstance(dims, str):
            shape = parse_dims(dims)
        elif dims is not None:
            shape = tuple(_exact(f"input size {i + 1}", v) for i, v in enumerate(dims))  # type: ignore[assignment]
        else:
            shape = self.declared
        result = analyze(self.network, merged, input=shape, dtype=self.dtype, divisible=self.divisible,
                         batch=self.batch if batch is None else batch)
        result.rows  # walk now, so that a problem at these values is raised here
        return result


def _exact(name: str, value: Value) -> Expr:
    if isinstance(value, bool) or isinstance(value, float):
        raise SymcnnError(f"{name}={value!r}: give an int, a Fraction or a string such as '0.75' (exact values only)")
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return Integer(value)
    if isinstance(value, str):
        from .syntax import parse_assignment

        return parse_assignment(f"{name}={value}")[1]
    if isinstance(value, Expr) and value.is_Rational:
        return value
    raise SymcnnError(f"{name}={value!r} is not an exact number")


@dataclass(frozen=True)
class Block:
    """The network as it runs: one block per layer instance or combinator, in execution order.

    ``kind`` is ``layer`` (``layer`` is the bound layer), ``seq``, ``repeat``, ``call``
    (``name`` is the call as written), ``res``, ``concat`` or ``mul``. ``row`` is the
    index of the block's own row (a layer's, or the add/concat/mul join's); ``parts``
    are the sub-blocks; ``input`` is the shape the block receives; ``count`` is the
    symbolic count of a repeat that is multiplied rather than unrolled.
    """

    kind: str
    input: Shape
    parts: tuple[Block, ...] = ()
    layer: Layer | None = None
    row: int | None = None
    name: str = ""
    count: Expr = ONE

    def blocks(self) -> Iterator[Block]:
        """This block and every block inside it, without recursion.

        >>> import symcnn
        >>> tree = symcnn.parse("input 8x8x4\\nres(conv1-4, relu)").analyze().tree
        >>> sorted(b.kind for b in tree.blocks())
        ['layer', 'layer', 'res', 'seq', 'seq']
        """
        stack = [self]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(current.parts)


class _Walk:
    """One pass over the network, appending rows and returning blocks."""

    def __init__(self, network: Network, batch: Expr) -> None:
        self.network = network
        self.batch = batch
        self.rows: list[Row] = []
        self.costs: dict[tuple[tuple[object, ...], Shape], tuple[Cost, str]] = {}
        self.measured: set[Expr] = set()
        self.expanded: dict[tuple[str, tuple[Expr, ...]], int] = {}
        self.terms = 0

    def fail(self, message: str, span: Span, hint: str | None = None, kind: str = "error") -> SymcnnError:
        return SymcnnError(message, kind, self.network.text, span.line, span.column, hint)

    def emit(self, name: str, kind: str, cost: Cost, mult: Expr, depth: int) -> int:
        if len(self.rows) >= limits.MAX_LAYERS:
            raise SymcnnError(f"the network expands to more than {limits.MAX_LAYERS:,} layers", "limit")
        if self.batch != 1:
            cost = dataclasses.replace(cost, macs=self.batch * cost.macs, activations=self.batch * cost.activations)
        self.rows.append(Row(**vars(cost), index=len(self.rows), name=name, kind=kind, count=mult, depth=depth))
        self.measure(self.rows[-1])
        return len(self.rows) - 1

    def measure(self, row: Row) -> None:
        """Refuse a row with a number past MAX_DIGITS, or that takes the totals past MAX_TERMS terms.

        Growth compounds (upsample x1000, concat(id | id) x30000, powers of sums in sizes);
        caught here, it costs an error message instead of minutes of arithmetic, a total too
        long to print, or an expansion that never ends. Rows share their values, so each
        distinct value is measured once.
        """
        values = zip(("output height", "output width", "output channels", "weights", "biases", "buffers", "MACs",
                      "activations"), (*row.output, row.weights, row.biases, row.buffers, row.macs, row.activations))
        for what, value in values:
            value = value * row.count if row.count != ONE else value
            if value in self.measured:
                continue
            self.measured.add(value)
            try:
                self.terms += limits.measure(value, limits.MAX_TERMS)
            except limits.TooLarge as error:
                raise SymcnnError(f"layer {row.index} '{row.name}' is too large ({what}: {error})", "limit") from None
            if self.terms > limits.MAX_TERMS:
                raise SymcnnError(f"layer {row.index} '{row.name}': the symbolic totals would have more than "
                                  f"{limits.MAX_TERMS:,} terms when multiplied out", "limit",
                                  hint="give the input size and the values of the names (--at, --set)")

    def join(self, kind: str, shape: Shape, mult: Expr, depth: int) -> int:
        return self.emit(kind, kind, Cost(shape, ZERO, ZERO, ZERO, ZERO, elements(shape), ""), mult, depth)

    def node(self, node: Node, shape: Shape, env: dict[sympy.Symbol, Expr], mult: Expr,
             depth: int) -> tuple[Shape, Block]:
        if isinstance(node, Layer):
            return self.layer(node, shape, env, mult, depth)
        if isinstance(node, Seq):
            parts = []
            out = shape
            for item in node.items:
                out, part = self.node(item, out, env, mult, depth)
                parts.append(part)
            return out, Block("seq", shape, tuple(parts))
        if isinstance(node, Repeat):
            return self.repeat(node, shape, env, mult, depth)
        if isinstance(node, Residual):
            main, main_block = self.node(node.main, shape, env, mult, depth + 1)
            parts = [main_block]
            other = shape
            if node.shortcut:
                other, short_block = self.node(node.shortcut, shape, env, mult, depth + 1)
                parts.append(short_block)
            self.agree(main, other, node.span, "res: the branch output", "the shortcut output", range(3))
            return main, Block("res", shape, tuple(parts), row=self.join("add", main, mult, depth + 1))
        if isinstance(node, Concat):
            results = [self.node(branch, shape, env, mult, depth + 1) for branch in node.branches]
            outs = [out for out, _ in results]
            for i, out in enumerate(outs[1:], 2):
                self.agree(outs[0], out, node.span, "concat: branch 1 output", f"branch {i} output", range(2))
            joined = (outs[0][0], outs[0][1], sympy.Add(*(out[2] for out in outs)))
            row = self.join("concat", joined, mult, depth + 1)
            return joined, Block("concat", shape, tuple(block for _, block in results), row=row)
        if isinstance(node, Gate):
            gate, body = self.node(node.body, shape, env, mult, depth + 1)
            if not (gate[0] == 1 and gate[1] == 1 and self.same(gate[2], shape[2])):
                self.agree(gate, shape, node.span, "mul: the gate output", "its input (or 1x1xC)", range(3))
            return shape, Block("mul", shape, (body,), row=self.join("mul", shape, mult, depth + 1))
        assert isinstance(node, Call)
        return self.call(node, shape, env, mult, depth)

    def layer(self, layer: Layer, shape: Shape, env: dict[sympy.Symbol, Expr], mult: Expr,
              depth: int) -> tuple[Shape, Block]:
        bound = layer.bind(env)
        # A repeated block (bottleneck(256) x35) meets the same layer on the same input again and
        # again: its cost, the SymPy-heavy part of the walk, is worked out once.
        key = (_values(bound), shape)
        known = self.costs.get(key)
        if known is None:
            try:
                known = self.costs[key] = (bound.cost(shape), bound.notation())
            except LayerProblem as problem:
                raise self.fail(f"layer {len(self.rows)} '{bound.notation()}' (input {_shape(shape)}): {problem}",
                                layer.span, kind=problem.kind) from None
        cost, name = known
        row = self.emit(name, bound.kind, cost, mult, depth)
        return cost.output, Block("layer", shape, layer=bound, row=row)

    def repeat(self, node: Repeat, shape: Shape, env: dict[sympy.Symbol, Expr], mult: Expr,
               depth: int) -> tuple[Shape, Block]:
        times = node.count.xreplace(env) if env else node.count
        try:
            count(times, "the repeat count")
        except LayerProblem as problem:
            raise self.fail(str(problem), node.span) from None
        if not times.free_symbols:
            if len(self.rows) + int(times) > limits.MAX_LAYERS:
                raise self.fail(f"x{times} expands to more than {limits.MAX_LAYERS:,} layers", node.span,
                                "write the count as a name, x{n}, to have the costs multiplied instead of unrolled")
            parts = []
            out = shape
            for _ in range(int(times)):
                out, part = self.node(node.body, out, env, mult, depth)
                parts.append(part)
            return out, Block("repeat", shape, tuple(parts), name=f"x{times}")
        out, body = self.node(node.body, shape, env, mult * times, depth)
        if not all(self.same(a, b) for a, b in zip(out, shape)):
            raise self.fail(
                f"a symbolic repeat x{{{times}}} needs an item that keeps its input shape; "
                f"this one maps {_shape(shape)} to {_shape(out)}", node.span,
                "repeat it a literal number of times, or move the layers that change the shape out of the repeat")
        return out, Block("repeat", shape, (body,), name=f"x{{{times}}}", count=times)

    def call(self, node: Call, shape: Shape, env: dict[sympy.Symbol, Expr], mult: Expr,
             depth: int) -> tuple[Shape, Block]:
        if depth >= limits.MAX_NESTING:
            raise self.fail(f"definitions and brackets nest more than {limits.MAX_NESTING} deep", node.span)
        definition = self.network.definition(node.name)
        args = tuple(arg.xreplace(env) if env else arg for arg in node.args)
        inner = {**env, **dict(zip(definition.params, args))}
        out, body = self.node(definition.body, shape, inner, mult, depth + 1)
        name = f"{node.name}({', '.join(show(a).strip('{}') for a in args)})" if args else node.name
        return out, Block("call", shape, (body,), name=name)

    def expansion(self, node: Node, env: dict[sympy.Symbol, Expr], depth: int) -> int:
        """How many rows ``node`` will add (at most just past MAX_LAYERS), counted before the walk.

        Definitions that double at each of 30 levels would be walked for minutes before the
        layer limit stopped them; counted first (each call with its arguments once), they are
        stopped at once. Counts that are not positive integers are left to the walk to report.
        """
        cap = limits.MAX_LAYERS + 1
        if isinstance(node, Layer):
            return 1
        if isinstance(node, Seq):
            return min(cap, sum(self.expansion(item, env, depth) for item in node.items))
        if isinstance(node, Repeat):
            times = node.count.xreplace(env) if env else node.count
            body = self.expansion(node.body, env, depth)
            if not (times.is_Integer and times > 0):
                return body
            if body * int(times) > limits.MAX_LAYERS:
                raise SymcnnError(f"x{times} expands to more than {limits.MAX_LAYERS:,} layers", "limit",
                                  self.network.text, node.span.line, node.span.column,
                                  "write the count as a name, x{n}, to have the costs multiplied instead of unrolled")
            return body * int(times)
        if isinstance(node, (Residual, Concat, Gate)):
            parts = {Residual: lambda n: [n.main] + ([n.shortcut] if n.shortcut else []),
                     Concat: lambda n: list(n.branches), Gate: lambda n: [n.body]}[type(node)](node)
            return min(cap, 1 + sum(self.expansion(part, env, depth + 1) for part in parts))
        assert isinstance(node, Call)
        if depth >= limits.MAX_NESTING:
            return 1  # the walk reports the nesting
        args = tuple(arg.xreplace(env) if env else arg for arg in node.args)
        if (node.name, args) not in self.expanded:
            definition = self.network.definition(node.name)
            inner = {**env, **dict(zip(definition.params, args))}
            self.expanded[node.name, args] = self.expansion(definition.body, inner, depth + 1)
        return self.expanded[node.name, args]

    def same(self, a: Expr, b: Expr) -> bool:
        return a == b or sympy.simplify(a - b) == 0

    def agree(self, a: Shape, b: Shape, span: Span, what_a: str, what_b: str, dims: range) -> None:
        if all(self.same(a[i], b[i]) for i in dims):
            return
        undecided = any(not sympy.simplify(a[i] - b[i]).is_number for i in dims)
        hint = ("the shapes may agree only for some input sizes: give sizes (--at) or state divisibility "
                "(--divisible)") if undecided else None
        raise self.fail(f"{what_a} is {_shape(a)} but {what_b} is {_shape(b)}", span, hint)


def _values(layer: Layer) -> tuple[object, ...]:
    """What a layer computes with: its type and values, not where it was written (conv3-64, conv3-64 are alike)."""
    return (type(layer), *(getattr(layer, name) for name in _value_fields(type(layer))))


@cache
def _value_fields(kind: type[Layer]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind) if f.name != "span")


def _shape(shape: Shape) -> str:
    from .formats import shape as show

    text = show(shape)
    return text if len(text) <= 200 else text[:200] + "…"


def analyze(network: Network, values: Mapping[str, Expr], input: Shape | None = None, dtype: str = "fp32",
            divisible: int | None = None, batch: Value | Expr = ONE) -> Analysis:
    """The analysis of ``network`` with ``values`` bound to names; see :meth:`Network.analyze`."""
    if dtype not in DTYPE_BYTES:
        raise SymcnnError(f"unknown dtype '{dtype}'; choose one of {', '.join(DTYPE_BYTES)}")
    if divisible is not None and not (isinstance(divisible, int) and divisible >= 1):
        raise SymcnnError(f"divisible must be a positive integer, not {divisible!r}")
    known = network.symbols
    batch = _batch(batch, known)
    unknown = sorted(set(values) - set(known) - {s.name for s in batch.free_symbols})
    if unknown:
        names = ", ".join(known) if known else "none"
        raise SymcnnError(f"the network has no name '{unknown[0]}' to give a value to; its names are: {names}")
    declared = input if input is not None else network.input
    # Names that size the input are positive integers, as in the network's own header.
    sizes = {s: sympy.Symbol(s.name, positive=True, integer=True) for d in declared for s in d.free_symbols}
    declared = tuple(d.xreplace(sizes) for d in declared)  # type: ignore[assignment]
    return Analysis(network, values, declared, dtype, divisible, batch)


def _batch(value: Value | Expr, known: Mapping[str, sympy.Symbol]) -> Expr:
    """The batch size: a positive integer, or a name (``N``) that is not already one of the network's."""
    if isinstance(value, str) and value.isidentifier():
        batch: Expr = sympy.Symbol(value, positive=True, integer=True)
    else:
        batch = value if isinstance(value, Expr) and value.free_symbols else _exact("batch", value)
    taken = sorted(s.name for s in batch.free_symbols if s.name in known)
    if taken:
        raise SymcnnError(f"the batch size {batch} uses '{taken[0]}', a name of the network; choose another name")
    batch = batch.xreplace({s: sympy.Symbol(s.name, positive=True, integer=True) for s in batch.free_symbols})
    try:
        return count(batch, "the batch size")
    except LayerProblem as problem:
        raise SymcnnError(str(problem)) from None


def _walk(network: Network, values: Mapping[str, Expr], declared: Shape,
          divisible: int | None, batch: Expr) -> tuple[Shape, list[Row], Block]:
    known = network.symbols
    env = {known[name]: value for name, value in values.items() if name in known}  # the others name the batch
    shape: Shape = tuple(d.xreplace(env) for d in declared)  # type: ignore[assignment]
    back: dict[sympy.Symbol, Expr] = {}
    if divisible is not None:
        shape, back = _assume_divisible(shape, divisible)
    try:
        count(batch, "the batch size")
    except LayerProblem as problem:
        raise SymcnnError(str(problem)) from None
    walk = _Walk(network, batch)
    for i, size in enumerate(shape):
        try:
            count(size, ("the input height", "the input width", "the input channels")[i])
        except LayerProblem as problem:
            raise SymcnnError(str(problem)) from None
    walk.emit("input", "input", Cost(shape, ZERO, ZERO, ZERO, ZERO, elements(shape), ""), ONE, 0)
    if walk.expansion(network.body, env, 0) > limits.MAX_LAYERS:
        raise SymcnnError(f"the network expands to more than {limits.MAX_LAYERS:,} layers", "limit",
                          hint="write repeat counts as names, x{n}, to have the costs multiplied instead of unrolled")
    _, tree = walk.node(network.body, shape, env, ONE, 0)
    rows = walk.rows
    if back:
        rows = [_restore(row, back) for row in rows]
        shape = tuple(d.xreplace(back) for d in shape)  # type: ignore[assignment]
    return shape, rows, tree


def _assume_divisible(shape: Shape, d: int) -> tuple[Shape, dict[sympy.Symbol, Expr]]:
    """Write a symbolic height or width S as d*s (s a positive integer); check a numeric one."""
    out = list(shape)
    back: dict[sympy.Symbol, Expr] = {}
    for i in (0, 1):
        size = shape[i]
        if not size.free_symbols:
            if size % d != 0:
                raise SymcnnError(f"the input {'height' if i == 0 else 'width'} {size} is not divisible by {d}")
        elif size.is_Symbol:
            quotient = sympy.Symbol(f"{size}_{d}", positive=True, integer=True)
            out[i] = d * quotient
            back[quotient] = size / d
    return tuple(out), back  # type: ignore[return-value]


def _restore(row: Row, back: dict[sympy.Symbol, Expr]) -> Row:
    def put(e: Expr) -> Expr:
        return sympy.expand(e.xreplace(back))

    return dataclasses.replace(
        row, output=tuple(put(d) for d in row.output), weights=put(row.weights), biases=put(row.biases),
        buffers=put(row.buffers), macs=put(row.macs), activations=put(row.activations),
        weight_formula=_formula_restore(row.weight_formula, back))


def _formula_restore(formula: str, back: dict[sympy.Symbol, Expr]) -> str:
    for quotient, original in back.items():
        formula = formula.replace(f"{quotient}", f"({original})")
    return formula
