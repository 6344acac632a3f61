"""``symcnn sweep``: the totals on a grid of values, from the formulas through ``sympy.lambdify`` and NumPy.

The network is analysed once, symbolically; each total becomes one vectorised NumPy
function evaluated on the whole grid at once. Exact by default: the grid holds
``Fraction`` objects and the function's rational constants are ``Fraction`` too, so every
count comes out as a Python ``int``; ``exact=False`` evaluates in float64 instead (for
plots and very large grids).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy
import sympy
from sympy import Expr, Rational
from sympy.printing.numpy import NumPyPrinter

from . import grid_eval
from .analysis import Analysis
from .errors import SymcnnError
from .requirements import requirements
from .symbolic import expr
from .syntax import exact as exact_value

Value = Any

MAX_POINTS = 1_000_000
TABLE_KEYS = ("params", "macs", "activations")
HEADINGS = {"params": "params", "macs": "MACs", "activations": "activations"}


class _ExactPrinter(NumPyPrinter):
    """NumPy code whose rational constants are Fractions, so object arrays of Fractions stay exact."""

    def _print_Rational(self, expr: Rational) -> str:
        return f"Fraction({expr.p}, {expr.q})"

    _print_Half = _print_Rational




@dataclass(frozen=True)
class Sweep:
    """Totals of one network on a grid: ``totals[key][i, j, ...]`` is at ``axes`` values i, j, ...

    Arrays hold Python ints when exact, float64 otherwise. ``formulas`` are the totals
    that were lambdified.
    """

    label: str
    axes: dict[str, tuple[Rational, ...]]
    totals: dict[str, numpy.ndarray]
    formulas: dict[str, Expr]

    def points(self) -> list[tuple[tuple[Rational, ...], dict[str, Any]]]:
        """Each grid point in row-major order: its axis values and its totals."""
        return [(values, {key: array[index] for key, array in self.totals.items()})
                for index, values in zip(itertools.product(*(range(len(v)) for v in self.axes.values())),
                                         itertools.product(*self.axes.values()))]


def grid(spec: str) -> tuple[Rational, ...]:
    """Values from ``start:stop:step`` (stop included when reached), a comma list, or both, read exactly.

    >>> grid("0.25:1:0.25"), grid("96,128"), grid("1/3")
    ((1/4, 1/2, 3/4, 1), (96, 128), (1/3,))
    """
    values: list[Rational] = []
    for part in spec.split(","):
        pieces = [_number(piece, spec) for piece in part.split(":")]
        if len(pieces) == 1:
            values.append(pieces[0])
        elif len(pieces) == 3 and pieces[2] > 0 and pieces[1] >= pieces[0]:
            count = int((pieces[1] - pieces[0]) / pieces[2]) + 1
            if len(values) + count > MAX_POINTS:
                raise SymcnnError(f"the grid '{spec}' has more than {MAX_POINTS:,} values", "limit")
            values += [pieces[0] + i * pieces[2] for i in range(count)]
        else:
            raise SymcnnError(f"'{part}' is not a range start:stop:step with 0 < step and start <= stop",
                              hint="for example 0.25:2:0.25, or a list such as 96,128,160")
    return tuple(values)


def _number(text: str, spec: str) -> Rational:
    try:
        value = exact_value(text.strip(), "a grid value")
    except SymcnnError:
        raise SymcnnError(f"'{text}' in '{spec}' is not a number") from None
    return sympy.Rational(value.numerator, value.denominator)


def sweep(analysis: Analysis, axes: Mapping[str, Sequence[Value]], exact: bool = True, label: str = "") -> Sweep:
    """Evaluate every total of ``analysis`` on the grid spanned by ``axes`` (one per free name).

    Counts that must be whole (channels, sizes) are checked at every value first; a value
    where the network does not work raises the analysis's own error.

    >>> import symcnn
    >>> from symcnn.scaling import scaled
    >>> vgg = scaled(symcnn.load("vgg16"), width="w").analyze().at("224x224x3")
    >>> result = sweep(vgg, {"w": ["0.25", "0.5", 1]})
    >>> result.totals["params"].tolist()
    [9418936, 35617672, 138357544]
    """
    free = {s.name: s for total in analysis.totals.values() for s in expr(total).free_symbols}
    values = {name: tuple(_rational(name, v) for v in given) for name, given in axes.items()}
    missing, extra = sorted(set(free) - set(values)), sorted(set(values) - set(free))
    if missing:
        raise SymcnnError(f"the totals still depend on {', '.join(missing)}: sweep it or give it a value",
                          hint=f"--set {missing[0]}=1 (a value) or --set {missing[0]}=1:4:1 (a grid)")
    if extra:
        raise SymcnnError(f"the totals do not depend on {extra[0]}, so there is nothing to sweep over it")
    if not values:
        raise SymcnnError("nothing to sweep: give a grid, for example --width w=0.25:2:0.25 or "
                          "--resolution r=96:384:32")
    if math.prod(len(v) for v in values.values()) > MAX_POINTS:
        raise SymcnnError(f"the grid has more than {MAX_POINTS:,} points", "limit")
    symbols = [free[name] for name in values]
    # the grid as integers over one denominator per axis, made once for every total and requirement
    integers = {symbol: grid_eval.axis(axis) for symbol, axis in zip(symbols, values.values())}
    _check(analysis, dict(zip(symbols, values.values())), integers)
    shape = tuple(len(v) for v in values.values())
    kind = object if exact else float
    mesh = _Mesh(values, exact)
    totals = {}
    for key, formula in analysis.totals.items():
        fast = grid_eval.evaluate(expr(formula), integers) if exact else None
        if fast is not None:
            counts, whole = grid_eval.whole(fast)
            if not whole.all():
                raise SymcnnError(f"a total came out as a fraction: {key} at {_first(values, ~whole)}")
            totals[key] = counts.astype(object)  # Python ints
            continue
        result = numpy.broadcast_to(numpy.asarray(_lambdified(symbols, formula, exact)(*mesh.arrays), dtype=kind),
                                    shape)
        totals[key] = _whole(result) if exact else numpy.array(result, dtype=float)
    return Sweep(label, values, totals, {k: expr(v) for k, v in analysis.totals.items()})


class _Mesh:
    """The grid as arrays for lambdified code, built only if a formula needs that path (Fractions are slow)."""

    def __init__(self, values: Mapping[str, tuple[Rational, ...]], exact: bool) -> None:
        self.values, self.exact = values, exact

    @functools.cached_property
    def arrays(self) -> list[numpy.ndarray]:
        return numpy.meshgrid(*(_fractions(vs) if self.exact else numpy.array(vs, dtype=float)
                                for vs in self.values.values()), indexing="ij")


def _first(values: Mapping[str, tuple[Rational, ...]], where: numpy.ndarray) -> str:
    index = numpy.argwhere(where)[0]
    return ", ".join(f"{name} = {axis[i]}" for (name, axis), i in zip(values.items(), index))


def _lambdified(symbols: list[sympy.Symbol], formula: Expr, exact: bool) -> Any:
    """NumPy code for the formula; exact: rational constants as Fractions, for object arrays of Fractions."""
    if not exact:
        return sympy.lambdify(symbols, formula, modules="numpy")
    printer = _ExactPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True})
    return sympy.lambdify(symbols, formula, modules=[{"Fraction": Fraction}, "numpy"], printer=printer)


def _fractions(values: Sequence[Rational]) -> numpy.ndarray:
    return numpy.array([int(v.p) if v.q == 1 else Fraction(int(v.p), int(v.q)) for v in values], dtype=object)


def _rational(name: str, value: Value) -> Rational:
    number = exact_value(value, name)
    return Rational(number.numerator, number.denominator)


def _whole(array: numpy.ndarray) -> numpy.ndarray:
    def one(value: Fraction | int) -> int:
        if Fraction(value).denominator != 1:
            raise SymcnnError(f"a total came out as {value}, not a whole number")
        return int(value)

    return numpy.frompyfunc(one, 1, 1)(array).astype(object)


def _check(analysis: Analysis, axes: dict[sympy.Symbol, tuple[Rational, ...]],
           integers: dict[sympy.Symbol, grid_eval.Axis]) -> None:
    """Every whole-number requirement at every value; each one only over the names it depends on."""
    for need in dict.fromkeys(requirements(analysis)):
        names = sorted(expr(need.value).free_symbols, key=str)
        if not names:
            continue
        fast = grid_eval.evaluate(expr(need.value), {n: integers[n] for n in names})
        if fast is not None:
            q, whole = grid_eval.whole(fast)
            bad = ~(whole & (q >= need.minimum) & (q % need.multiple == 0))
            if not bad.any():
                continue
            index = tuple(numpy.argwhere(bad)[0])
            value = sympy.Rational(int(fast[0][index]), fast[1])
            _failed(analysis, need, names, axes, index, value)
        mesh = numpy.meshgrid(*(_fractions(axes[n]) for n in names), indexing="ij")
        found = numpy.broadcast_to(numpy.asarray(_lambdified(names, expr(need.value), True)(*mesh), dtype=object),
                                   mesh[0].shape)
        for index, value in numpy.ndenumerate(found):
            if not need.met(sympy.Rational(Fraction(value).numerator, Fraction(value).denominator)):
                _failed(analysis, need, names, axes, index, value)


def _failed(analysis: Analysis, need: Any, names: list[sympy.Symbol], axes: dict[sympy.Symbol, tuple[Rational, ...]],
            index: tuple[int, ...], value: Any) -> None:
    """The analysis's own error at the first grid point where a requirement fails."""
    values = {n.name: axes[n][i] for n, i in zip(names, index)}
    shown = ", ".join(f"{n} = {v}" for n, v in values.items())
    try:
        analysis.at(**values)
    except SymcnnError as error:
        raise SymcnnError(f"at {shown}: {error.message}", error.kind, error.text, error.line,
                          error.column, error.hint) from None
    raise SymcnnError(f"at {shown}: {need.value} is {value}, not a whole number")
