"""A SymPy expression evaluated exactly on a grid of rational values, as integer NumPy arrays.

Each value is carried as a numerator array over one integer denominator: a grid of widths
k/64 is the integers k over 64, ``floor(a/b)`` is ``a // b``, and nothing is a ``Fraction``.
The arithmetic runs in int64 where a float64 pass over the same tree shows that no numerator
comes near 2^62, and on Python ints (object arrays) where one might: exact either way.
Expressions with other functions (``Piecewise`` from rounded channels) are not handled here:
:func:`evaluate` returns None and the caller uses its general path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy
import sympy

Pair = tuple[Any, int]  # numerator (an array, or a Python int), denominator (a positive int)

SAFE = 2.0**62


class _Unsupported(Exception):
    pass


Axis = tuple[list[int], int]  # a grid axis as integers over one denominator: 1/64, 2/64, ... is ([1, 2, ...], 64)


def axis(values: Sequence[sympy.Rational]) -> Axis:
    """An axis's values as integer numerators over their least common denominator.

    >>> axis([sympy.Rational(1, 2), 1, sympy.Rational(3, 4)])
    ([2, 4, 3], 4)
    """
    rationals = [sympy.Rational(v) for v in values]
    d = math.lcm(*(int(v.q) for v in rationals))
    return [int(v.p) * (d // int(v.q)) for v in rationals], d


def evaluate(formula: sympy.Expr, axes: Mapping[sympy.Symbol, Axis]) -> Pair | None:
    """``formula`` on the grid spanned by ``axes`` (numerator array over a denominator), or None if not handled.

    >>> w = sympy.Symbol("w", positive=True)
    >>> n, d = evaluate(sympy.floor(3 * w / 2) + w**2, {w: axis([sympy.Rational(1, 2), 1, 3])})
    >>> [sympy.Rational(int(v), d) for v in n]
    [1/4, 2, 13]
    """
    names = list(axes)
    numerators = [values for values, _ in axes.values()]
    denominators = [d for _, d in axes.values()]
    try:
        largest_value = max(max(abs(v) for v in values) for values in numerators)
        magnitude = max(_Evaluator(names, numerators, denominators, numpy.float64).run(formula), largest_value,
                        *denominators)
        dtype: Any = numpy.int64 if magnitude < SAFE else object
        n, d = _Evaluator(names, numerators, denominators, dtype).pair(formula)
    except _Unsupported:
        return None
    return numpy.broadcast_to(numpy.asarray(n, dtype=dtype), tuple(len(v) for v in numerators)), d


def whole(pair: Pair) -> tuple[Any, Any]:
    """The integer values of a pair and where they are whole: (values, mask)."""
    n, d = pair
    return n // d, n % d == 0


class _Evaluator:
    def __init__(self, names: list[sympy.Symbol], numerators: list[list[int]], denominators: list[int],
                 dtype: Any) -> None:
        self.dtype = dtype
        self.largest = 0.0
        shape = [1] * len(names)
        self.symbols: dict[sympy.Symbol, Pair] = {}
        for i, (name, values, d) in enumerate(zip(names, numerators, denominators)):
            here = list(shape)
            here[i] = len(values)
            self.symbols[name] = (numpy.array(values, dtype=dtype).reshape(here), d)

    def run(self, formula: sympy.Expr) -> float:
        """The largest magnitude of any numerator or denominator on the way (a float64 pass)."""
        self.pair(formula)
        return self.largest

    def pair(self, e: sympy.Expr) -> Pair:
        n, d = self._pair(e)
        if self.dtype is numpy.float64:
            self.largest = max(self.largest, float(numpy.max(numpy.abs(n))), float(d))
        return n, d

    def _scalar(self, value: int) -> Any:
        return float(value) if self.dtype is numpy.float64 else value

    def _pair(self, e: sympy.Expr) -> Pair:
        if e.is_Integer:
            return self._scalar(int(e)), 1
        if e.is_Rational:
            return self._scalar(int(e.p)), int(e.q)
        if e.is_Symbol:
            if e not in self.symbols:
                raise _Unsupported
            return self.symbols[e]
        if e.is_Add:
            parts = [self.pair(a) for a in e.args]
            common = math.lcm(*(d for _, d in parts))
            return sum(n * self._scalar(common // d) for n, d in parts), common
        if e.is_Mul:
            n, d = self._scalar(1), 1
            for a in e.args:
                an, ad = self.pair(a)
                n, d = n * an, d * ad
            return n, d
        if e.is_Pow and e.exp.is_Integer and e.exp >= 0:
            n, d = self.pair(e.base)
            return n ** int(e.exp), d ** int(e.exp)
        if isinstance(e, sympy.floor | sympy.ceiling):
            n, d = self.pair(e.args[0])
            return (n // d if isinstance(e, sympy.floor) else -((-n) // d)), 1
        if isinstance(e, sympy.Max | sympy.Min):
            parts = [self.pair(a) for a in e.args]
            common = math.lcm(*(d for _, d in parts))
            scaled = [n * self._scalar(common // d) for n, d in parts]
            pick = numpy.maximum if isinstance(e, sympy.Max) else numpy.minimum
            out = scaled[0]
            for other in scaled[1:]:
                out = pick(out, other)
            return out, common
        raise _Unsupported
