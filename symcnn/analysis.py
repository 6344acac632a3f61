"""The analysis: rows and totals of a network, exact integers at given sizes and formulas where names are left.

:func:`analyze` binds the names the user gave values to; every other name stays a SymPy
symbol. With every name a number, nothing here imports SymPy and every row value and
total is a Python ``int``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cached_property
from typing import Any

from . import arith, values
from .arith import Bound
from .constants import COST_KEYS, DTYPE_BYTES
from .errors import SymcnnError
from .layers import LayerProblem, Shape
from .layers.base import count
from .network import Network
from .syntax import exact, layer_kind, parse_dims
from .values import Name, Number, Value
from .walk import Block, Row, replaced, walk

__all__ = ["Analysis", "Block", "Row", "analyze"]

Given = Any
"""A value given by the user: an int, a Fraction, or a string such as ``"0.75"`` (a float is refused)."""


class Analysis:
    """Per-layer rows and totals of a network, symbolic or at given values.

    >>> import symcnn
    >>> a = symcnn.parse("conv3-64 x2, pool2, fc-K").analyze()
    >>> a.totals["params"]
    576*C + 64*K*floor(H/2)*floor(W/2) + K + 36992
    >>> a.at("32x32x3", K=10).totals["params"]
    202570
    """

    def __init__(self, network: Network, values: Mapping[str, Number], declared: tuple[Value, Value, Value],
                 dtype: str, divisible: int | None, batch: Value = 1, sizes: Mapping[str, Number] | None = None) -> None:
        self.network = network
        self.values = dict(values)
        """The names the user gave values to (``--set``, ``at(K=10)``)."""
        self.sizes = dict(sizes or {})
        """The names of the input's sizes bound by an input size (``--at 224x224x3`` on ``input HxWx3``)."""
        self.declared = declared
        self.dtype = dtype
        self.divisible = divisible
        self.batch = batch

    def __repr__(self) -> str:
        where = "x".join(arith.text(d) for d in self.input)
        given = "".join(f", {name}={value}" for name, value in self.values.items())
        kind = "exact" if self.is_numeric else "symbolic"
        return f"<symcnn.Analysis ({kind}) of {len(self.rows)} rows at {where}{given}>"

    def _derive(self, values: Mapping[str, Number], declared: tuple[Value, Value, Value], batch: Value,
                sizes: Mapping[str, Number] | None = None) -> Analysis:
        """Another analysis of the same network, of the same class (public subclasses keep theirs)."""
        return type(self)(self.network, values, declared, self.dtype, self.divisible, batch, sizes)

    @property
    def evaluated(self) -> bool:
        """Whether any value or input size was given: the totals are then not the network's own formulas."""
        return bool(self.values or self.sizes or self.declared != self.network.input)

    @cached_property
    def _env(self) -> dict[str, Bound]:
        sizes = set().union(*(values.names(d) for d in self.declared))
        names = set(self.network.names) | sizes | values.names(self.batch)
        env: dict[str, Bound] = {}
        given = {**self.sizes, **self.values}
        defaults = dict(self.network.defaults)
        for name in sorted(names):
            if name in given:
                env[name] = given[name]
            elif name not in defaults:
                from .symbolic import symbol

                env[name] = symbol(name, name in sizes or name in values.names(self.batch))
        for name, value in self.network.defaults:  # a default may use names before it
            if name not in given and type(value) is values.Apply:
                env[name] = value  # a block (let block = bottleneck)
            elif name not in given:
                try:
                    env[name] = arith.evaluate(value, env)
                except (values.ValueProblem, KeyError) as problem:
                    raise SymcnnError(f"the value of {name} ({values.text(value)}) cannot be worked out: {problem}")
        return env

    @cached_property
    def _walked(self) -> tuple[Shape, list[Row], Block]:
        # Walked on first use, so that .at() on a network that only works at some sizes never
        # needs the symbolic walk.
        env = dict(self._env)
        back: dict[Any, Any] = {}
        if self.divisible is not None:
            back = _assume_divisible(env, self.declared, self.divisible)
        try:
            shape = tuple(_checked(arith.evaluate(d, env), i) for i, d in enumerate(self.declared))
        except values.ValueProblem as problem:
            raise SymcnnError(f"the input size: {problem}", problem.kind) from None
        rows, tree = walk(self.network, env, shape, self.batch_size)  # type: ignore[arg-type]
        if back:
            import sympy

            from .symbolic import expr

            def put(value: Bound) -> Bound:
                return arith.norm(sympy.expand(expr(value).xreplace(back)))

            rows = [replaced(row, put) for row in rows]
            shape = tuple(put(d) for d in shape)
        return shape, rows, tree  # type: ignore[return-value]

    @cached_property
    def batch_size(self) -> Bound:
        """The batch size with values bound (``batch`` is as declared: a number, or a name such as N)."""
        try:
            return count(arith.evaluate(self.batch, self._env), "the batch size")
        except LayerProblem as problem:
            raise SymcnnError(str(problem)) from None

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

    def _sums(self, side: bool) -> dict[str, Bound]:
        rows = [r for r in self.rows if r.side == side]
        sums = {key: arith.total([getattr(r, key) * r.count for r in rows]) for key in COST_KEYS}
        if not all(map(arith.numeric, sums.values())):
            import sympy

            sums = {key: arith.norm(sympy.expand(value)) for key, value in sums.items()}
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

    @cached_property
    def totals(self) -> dict[str, Bound]:
        """Totals over the rows of the main path, keyed by :data:`~symcnn.constants.TOTAL_KEYS`."""
        return self._sums(False)

    @cached_property
    def side_totals(self) -> dict[str, Bound] | None:
        """Totals over the rows of side outputs (auxiliary heads), counted apart; None when there are none."""
        return self._sums(True) if any(r.side for r in self.rows) else None

    @property
    def is_numeric(self) -> bool:
        """True when every total is a number (no names left)."""
        return all(map(arith.numeric, self.totals.values()))

    @property
    def free_symbols(self) -> set[Any]:
        """The SymPy symbols the totals still hold (empty at concrete sizes)."""
        return set().union(*(v.free_symbols for v in self.totals.values() if not arith.numeric(v)))

    @property
    def unbound(self) -> list[str]:
        """The names of the network that have no value (and that the totals or rows depend on)."""
        return sorted(s.name for s in self.free_symbols)

    @cached_property
    def symbolic(self) -> Analysis:
        """The network as declared, with no values bound: where :attr:`formulas` come from."""
        if not self.evaluated:
            return self
        return self._derive({}, self.network.input, self.batch)

    @cached_property
    def warnings(self) -> list[str]:
        """What the totals leave out or hold only in part: operations left uncounted, sizes fixed by an import."""
        found = list(self.network.notes)
        ops: dict[str, int] = {}
        for row in self.rows:
            if row.layer is not None and row.layer.unknown:
                ops[row.layer.op.word] = ops.get(row.layer.op.word, 0) + 1  # type: ignore[union-attr]
        if ops:
            listed = ", ".join(f"{op} x{n}" for op, n in sorted(ops.items(), key=lambda kv: -kv[1]))
            total = sum(ops.values())
            found.insert(0, f"left uncounted: {total} operation{'s' if total != 1 else ''} ({listed}); their params, "
                            "MACs and working memory are not in the totals (their outputs' elements are)")
        return found

    @property
    def formulas(self) -> dict[str, Bound]:
        return self.symbolic.totals

    def _given(self, name: str, value: Any) -> Any:
        block = _block(self.network, name, value)
        return block if block is not None else exact(value, name)

    def at(self, dims: str | tuple[Given, Given, Given] | None = None, *, batch: Given | None = None,
           **given: Given) -> Analysis:
        """The same network with names bound to exact values, and optionally another input size or batch.

        Where the network's input is written with names (``input HxWxC``), ``dims`` gives
        those names their values; where it is a number, ``dims`` replaces it.

        >>> import symcnn
        >>> symcnn.load("vgg16").analyze().at("224x224x3").totals["params"]
        138357544
        """
        merged = {**self.values, **{name: self._given(name, value) for name, value in given.items()}}
        declared, sizes = self.declared, dict(self.sizes)
        if dims is not None:
            shape = parse_dims(dims) if isinstance(dims, str) else tuple(exact(v, f"input size {i + 1}")
                                                                        for i, v in enumerate(dims))
            declared, sizes = self.network.input, {}
            declared = _placed(declared, shape, sizes, merged)  # type: ignore[arg-type]
        unknown = sorted(set(given) - set(self.network.names) - values.names(self.batch) -
                         set().union(*(values.names(d) for d in declared)))
        if unknown:
            names = ", ".join(self.network.names) or "none"
            raise SymcnnError(f"the network has no name '{unknown[0]}' to give a value to; its names are: {names}")
        result = self._derive(merged, declared, self.batch if batch is None else _batch(batch, self.network), sizes)
        result.rows  # walk now, so that a problem at these values is raised here
        return result


def _block(network: Network, name: str, value: Any) -> values.Apply | None:
    """``value`` as a block for a block-valued ``let`` (``let variant = large``, ``--set variant=small``)."""
    default = dict(network.defaults).get(name)
    word = value.name if type(value) is values.Name else value if isinstance(value, str) else None
    if type(default) is not values.Apply or word is None:
        return None
    if word not in {d.name for d in network.definitions} and layer_kind(word) is None:
        raise SymcnnError(f"{name} takes a block: the name of a definition or a layer, and '{word}' is neither")
    return values.Apply(word, ())


def _checked(size: Bound, i: int) -> Bound:
    try:
        return count(size, ("the input height", "the input width", "the input channels")[i])
    except LayerProblem as problem:
        raise SymcnnError(str(problem)) from None


def _placed(declared: tuple[Value, ...], shape: tuple[Value, ...], sizes: dict[str, Number],
            given: Mapping[str, Number]) -> tuple[Value, ...]:
    """The input after ``--at``: each size written as a name gets the value given; any other is replaced.

    A size written as an expression of one name (``{32*h}``) gives that name the value that
    makes it the size asked for.
    """
    out = list(declared)
    for i, (old, new) in enumerate(zip(declared, shape)):
        if not values.is_number(new) or values.is_number(old):
            out[i] = new
            continue
        if type(old) is Name:
            name, value = old.name, new
        else:
            found = _solve_linear(old, new)
            if found is None:
                raise SymcnnError(f"cannot give the input size {values.text(old)} the value {new}: give its names "
                                  "values with --set instead")
            name, value = found
        if sizes.get(name, given.get(name, value)) != value:
            raise SymcnnError(f"the input size {name} is given {new} but {name} is set to "
                              f"{sizes.get(name, given.get(name))}")
        sizes[name] = value
    return tuple(out)


def _solve_linear(expression: Value, size: Number) -> tuple[str, Number] | None:
    """(name, value) with expression = size, for an expression a*name + b of one name; else None."""
    names_ = values.names(expression)
    if len(names_) != 1:
        return None
    (name,) = names_
    try:
        at1, at2, at3 = (arith.evaluate(expression, {name: v}) for v in (1, 2, 3))
    except (values.ValueProblem, KeyError):
        return None
    slope = at2 - at1 if arith.numeric(at1) and arith.numeric(at2) else None
    if slope is None or slope == 0 or at3 != at1 + 2 * slope:
        return None
    at0 = at1 - slope
    return name, values.exact(Fraction(size - at0) / slope)


def _assume_divisible(env: dict[str, Bound], declared: tuple[Value, ...], d: int) -> dict[Any, Any]:
    """Bind each unbound input height or width name S to d*s (s a positive integer); check a numeric one."""
    from .symbolic import symbol

    back: dict[Any, Any] = {}
    for i in (0, 1):
        size = arith.evaluate(declared[i], env)
        if arith.numeric(size):
            if size % d != 0:
                raise SymcnnError(f"the input {'height' if i == 0 else 'width'} {size} is not divisible by {d}")
        elif type(declared[i]) is Name and getattr(size, "is_Symbol", False):
            quotient = symbol(f"{size}_{d}", True)
            env[declared[i].name] = d * quotient  # type: ignore[union-attr]
            back[quotient] = size / d
    return back


def _batch(value: Given, network: Network) -> Value:
    """The batch size: a positive integer, or a name (``N``) that is not already one of the network's."""
    if isinstance(value, str) and value.isidentifier():
        if value in network.names:
            raise SymcnnError(f"the batch size {value} uses '{value}', a name of the network; choose another name")
        return Name(value)
    if isinstance(value, Name):
        return value
    return exact(value, "batch")


def analyze(network: Network, given: Mapping[str, Given] | None = None, input: tuple[Value, Value, Value] | None = None,
            dtype: str = "fp32", divisible: int | None = None, batch: Given = 1,
            cls: type[Analysis] = Analysis) -> Analysis:
    """The analysis of ``network`` with ``given`` values bound to names (see the public ``Network.analyze``)."""
    if dtype not in DTYPE_BYTES:
        raise SymcnnError(f"unknown dtype '{dtype}'; choose one of {', '.join(DTYPE_BYTES)}")
    if divisible is not None and not (isinstance(divisible, int) and not isinstance(divisible, bool)
                                      and divisible >= 1):
        raise SymcnnError(f"divisible must be a positive integer, not {divisible!r}")
    size = _batch(batch, network)
    if arith.numeric(size):
        try:
            count(size, "the batch size")
        except LayerProblem as problem:
            raise SymcnnError(str(problem)) from None
    result = cls(network, {}, network.input if input is None else input, dtype, divisible, size)
    return result.at(**given) if given else result
