"""The symbolic side of the arithmetic: SymPy symbols, rounding that keeps sizes readable, equality proofs.

Imported only when a name is left without a value: every count at concrete sizes is
computed on Python ints by :mod:`symcnn.arith` without SymPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import Any

import sympy
from sympy import Expr, ceiling, floor

from . import limits
from .values import ValueProblem


@cache
def symbol(name: str, integer: bool = False) -> sympy.Symbol:
    """The symbol a name stands for: positive, and an integer when it sizes the input or is a batch size."""
    return sympy.Symbol(name, positive=True, integer=True) if integer else sympy.Symbol(name, positive=True)


def expr(value: Any) -> Expr:
    """A bound value as a SymPy expression: exact numbers converted one by one, never text."""
    if type(value) is int:
        return sympy.Integer(value)
    if type(value) is Fraction:
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"not a value: {value!r}")


def number(value: Expr) -> Any:
    """A SymPy number as the exact Python number it is (int or Fraction); anything else unchanged."""
    if value.is_Integer:
        return int(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return value


def _checked(value: Expr) -> Any:
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ValueProblem("division by zero")
    return number(value) if value.is_Number else value


def integer(value: Expr) -> bool:
    """Whether ``value`` is an integer for every value of its names, read off its structure (True only when sure).

    SymPy's ``is_integer`` asks its assumptions system, milliseconds a question for sizes such
    as H/4 - 1; a size is a sum of products of integers, integer sizes and floors, which
    says it at once. A term this does not prove whole stays inside a floor: still exact.
    """
    if value.is_Integer or isinstance(value, (floor, ceiling)):
        return True
    if value.is_Symbol:
        return bool(value.is_integer)
    if value.is_Add or value.is_Mul or isinstance(value, (sympy.Min, sympy.Max)):
        return all(integer(arg) for arg in value.args)
    if value.is_Pow:
        return bool(value.exp.is_Integer and value.exp >= 0 and integer(value.base))
    return False


def nodes(value: Expr) -> int:
    """The size of an expression as written (its nodes): to choose the shorter of two equal forms."""
    return 1 + sum(nodes(arg) for arg in value.args)


def _rounded(rounding: type[floor | ceiling], span: Expr, s: Expr) -> Expr:
    """rounding(span / s), with floor((floor(v) + n)/s) = floor((v + n)/s) applied (n, s integers).

    The identity keeps symbolic sizes readable: five 2x2 pools give floor(H/32), not
    five nested floors. It holds for floor and for ceiling alike.
    """
    span, s = expr(span), expr(s)
    inner = [term for term in sympy.Add.make_args(span) if isinstance(term, rounding)]
    rest = span - inner[0] if len(inner) == 1 else None
    if rest is not None and integer(rest) and s.is_Integer:
        return divided(rounding, (inner[0].args[0] + rest) / s)
    return divided(rounding, span / s) if s.is_Integer else rounding(span / s)


def divided(rounding: type[floor | ceiling], quotient: Expr) -> Expr:
    """rounding(quotient), built as SymPy builds it for a real quotient with names in it, but faster.

    SymPy's floor first asks whether its whole argument is positive, zero or imaginary; for a
    sum of sizes such as H/2 - 1 that costs milliseconds a call and was most of the time of a
    symbolic analysis. For sizes, which grow with their names, those questions have no answer
    (and an answer could only give a simpler form of the same value), so the terms are split
    here as SymPy then splits them: integer terms come out, the others stay inside,
    unevaluated. Numbers, and anything not real, go through SymPy as usual.
    """
    quotient = expr(quotient)
    symbols = quotient.free_symbols
    if not symbols or not all(s.is_real for s in symbols):
        return rounding(quotient)
    whole: list[Expr] = []
    rest: list[Expr] = []
    for term in sympy.Add.make_args(quotient):
        (whole if integer(term) else rest).append(term)
    inside = sympy.Add(*rest)
    if not inside.free_symbols:
        return rounding(quotient)
    return sympy.Add(*whole) + rounding(inside, evaluate=False)


def floordiv(a: Any, b: Any) -> Any:
    """floor(a / b) for a whole b, kept readable (see :func:`_rounded`)."""
    return _checked(_rounded(floor, expr(a), expr(b)))


def ceildiv(a: Any, b: Any) -> Any:
    return _checked(_rounded(ceiling, expr(a), expr(b)))


def window_out(size: Any, k: Any, s: Any, p_total: Any, d: Any, ceil_mode: bool, p_right: Any) -> Any:
    """Output length of a convolution or pooling window, PyTorch's rule (see :func:`symcnn.layers.base.window_out`).

    ``p_total`` is the padding of both sides together; ``p_right`` that of the right side alone
    (it decides whether ceil mode drops a last window).
    """
    size, k, s, d = (expr(v) for v in (size, k, s, d))
    span = size + p_total - d * (k - 1) - 1
    if not ceil_mode:
        out = _rounded(floor, span, s) + 1
        if span.free_symbols and integer(span):
            # For an integer x, floor(x/s) + 1 = ceil((x + 1)/s): a stride-2 3x3 convolution then
            # gives ceil(H/2) rather than floor(H/2 - 1/2) + 1. Keep the shorter form.
            other = _rounded(ceiling, span + 1, s)
            if nodes(other) < nodes(out):
                return _checked(other)
        return _checked(out)
    out = _rounded(ceiling, span, s) + 1
    # PyTorch drops a last window that would start in the right padding. It starts at
    # ceil(span/s)*s <= span + s - 1 = size + p + (p + s - d*(k - 1) - 2), so never there when
    # p + s <= d*(k - 1) + 1 (the usual ceil-mode pools): deciding that here keeps symbolic sizes
    # free of nested Piecewise conditions, which SymPy is slow to build (or fails on).
    if (expr(p_right) + s - d * (k - 1) - 1).is_nonpositive:
        return _checked(out)
    # Otherwise the window it drops leaves ceil((size + p)/s) outputs, never fewer (p <= d*(k - 1) + 1
    # holds for every pool PyTorch accepts), so both cases are one exact expression:
    other = _rounded(ceiling, size + p_total - p_right, s)
    # Unevaluated when symbolic: proving which argument is smaller can take SymPy minutes, and
    # binding numbers later evaluates it.
    return _checked(sympy.Min(out, other, evaluate=not out.free_symbols))


def round_even(x: Any) -> Any:
    """round(x), half to even (as Python and torch.round), as one exact expression that numbers evaluate.

    floor(x + 1/2), less one where x is a half whose upward rounding is odd.

    >>> w = symbol("w")
    >>> [round_even(w).xreplace({w: sympy.Rational(v, 2)}) for v in (3, 5, 7)]
    [2, 2, 4]
    """
    x = expr(x)
    up = sympy.floor(x + sympy.Rational(1, 2))
    half = sympy.And(sympy.Eq(x - sympy.floor(x), sympy.Rational(1, 2)), sympy.Eq(sympy.Mod(up, 2), 1))
    return _checked(up - sympy.Piecewise((1, half), (0, True)))


def make_divisible(value: Any, divisor: Any, minimum: Any = None) -> Any:
    """torchvision's ``_make_divisible(value, divisor)`` as one exact expression (see :func:`symcnn.values.n_make_divisible`).

    >>> w = symbol("w")
    >>> make_divisible(48 * w, 8).xreplace({w: sympy.Rational(3, 4)})
    40
    """
    value, d = expr(value), expr(divisor)
    low = d if minimum is None else expr(minimum)
    nearest = sympy.Max(low, d * sympy.floor(value / d + sympy.Rational(1, 2)))
    return _checked(sympy.Piecewise((nearest + d, nearest < sympy.Rational(9, 10) * value), (nearest, True)))


def _div(a: Any, b: Any) -> Any:
    b = expr(b)
    if b == 0:
        raise ValueProblem("division by zero")
    return _checked(expr(a) / b)


def _pow(a: Any, b: Any) -> Any:
    if not (isinstance(b, int) or (isinstance(b, Expr) and b.is_Integer)) or abs(int(b)) > 100:
        raise ValueProblem("an exponent must be a whole number from -100 to 100")
    return _checked(sympy.Pow(a, b))


def _function(rounding: Callable[..., Expr]) -> Callable[[Any], Any]:
    return lambda x: _checked(divided(rounding, expr(x)))


def _numbers_only(name: str) -> Callable[..., Any]:
    def needs(*args: Any) -> Any:
        raise ValueProblem(f"{name} needs numbers, not {', '.join(str(a) for a in args)}: give the names values")

    return needs


def _compare(name: str) -> Callable[[Any, Any], Any]:
    """a == b (and !=) where it can be decided for every value of the names; the others need numbers."""
    def decide(a: Any, b: Any) -> Any:
        if name in ("eq", "ne") and same(a, b):
            return int(name == "eq")
        # Names are positive, so 32*w < 48*w is decided; SymPy answers None where the sign depends on them.
        difference = expr(a) - expr(b)
        sign = 1 if difference.is_positive else -1 if difference.is_negative else 0 if difference.is_zero else None
        if sign is not None:
            return int({"eq": sign == 0, "ne": sign != 0, "lt": sign < 0, "le": sign <= 0, "gt": sign > 0,
                        "ge": sign >= 0}[name])
        raise ValueProblem(f"cannot compare {a} with {b} without values for their names")

    return decide


def _if(condition: Any, yes: Any, no: Any) -> Any:
    if yes == no or same(yes, no):
        return yes
    raise ValueProblem(f"if({condition}, …) needs a value for the names of its condition")


OPS: dict[str, Callable[..., Any]] = {
    "add": lambda *a: _checked(sympy.Add(*a)),
    "mul": lambda *a: _checked(sympy.Mul(*a)),
    "div": _div,
    "floordiv": floordiv,
    "neg": lambda a: -a,
    "pow": _pow,
    "floor": _function(floor),
    "ceil": _function(ceiling),
    "round": round_even,
    "min": lambda *a: _checked(sympy.Min(*a)),
    "max": lambda *a: _checked(sympy.Max(*a)),
    "make_divisible": make_divisible,
    "if": _if,
    **{name: _compare(name) for name in ("eq", "ne", "lt", "le", "gt", "ge")},
    **{name: _numbers_only(name) for name in ("regnet_width", "regnet_groups", "regnet_depth", "regnet_stages")},
}
"""Each operator of :mod:`symcnn.values` on SymPy expressions."""


def same(a: Any, b: Any) -> bool:
    """Whether two sizes are equal for every value of their names (False when that cannot be shown).

    Beyond SymPy's simplification, a difference made of floors and ceilings of linear functions
    of one integer size is periodic, so checking one period decides it exactly:
    ``ceil(H/2)`` and ``floor((H - 1)/2) + 1`` agree for every positive integer H.

    >>> H = symbol("H", integer=True)
    >>> same(ceiling(H / 2), floor((H - 1) / 2) + 1), same(floor(H / 2), ceiling(H / 2))
    (True, False)
    """
    difference = sympy.expand(expr(a) - expr(b))
    if difference == 0:
        return True
    if not difference.free_symbols:
        return False
    if sympy.simplify(difference) == 0:
        return True
    return _periodic_zero(difference)


MAX_PERIOD = 10_000
"""Longest period :func:`same` checks value by value."""


def _periodic_zero(difference: Expr) -> bool:
    (size, *others) = difference.free_symbols
    if others or not size.is_integer:
        return False
    atoms = difference.atoms(floor, ceiling)
    period = 1
    for atom in atoms:
        argument = atom.args[0]
        if not argument.is_polynomial(size) or sympy.degree(argument, size) > 1:
            return False
        slope = sympy.Poly(argument, size).coeff_monomial(size)
        if not slope.is_Rational:
            return False
        period = math.lcm(period, int(slope.q))
    placeholders = {atom: sympy.Dummy() for atom in atoms}
    outside = difference.xreplace(placeholders)
    if not outside.is_polynomial(size, *placeholders.values()) or sympy.Poly(
            outside, size, *placeholders.values()).total_degree() > 1 or period > MAX_PERIOD:
        return False
    # d(x + period) - d(x) is a constant, so d vanishes on every positive integer iff it does on 1 .. period + 1.
    return all(difference.xreplace({size: value}) == 0 for value in range(1, period + 2))


def measure(value: Expr, max_terms: int) -> int:
    """The number of terms of ``value`` once multiplied out; TooLarge past ``max_terms`` or MAX_DIGITS.

    SymPy keeps products and powers of sums as they are written; it is ``expand`` (in the
    totals) that multiplies them out, and it could run for hours: ``(a+b+c)^60`` is 1,891
    terms. Terms are counted without expanding, over shared subexpressions, in time linear
    in the expression.

    >>> a, b, c = sympy.symbols("a b c")
    >>> measure((a + b) ** 3 * c + 10**999, 1000)
    5
    >>> measure((a + b + c) ** 60, 1000)
    Traceback (most recent call last):
    symcnn.numbers.ValueProblem: more than 1,000 terms when multiplied out
    """
    bits = limits.MAX_DIGITS * math.log2(10)
    terms: dict[sympy.Basic, int] = {}
    for node in _children_first(value):
        if node.is_Rational:
            if max(abs(node.p).bit_length(), node.q.bit_length()) > bits:  # type: ignore[attr-defined]
                raise ValueProblem(f"a number with more than {limits.MAX_DIGITS:,} digits", "limit")
            count = 1
        elif node.is_Add:
            count = sum(terms[arg] for arg in node.args)
        elif node.is_Mul:
            count = math.prod(terms[arg] for arg in node.args)
        elif node.is_Pow and node.exp.is_Integer and node.base.is_Add:
            power = abs(int(node.exp))
            count = math.comb(terms[node.base] + power - 1, power)
        else:  # a name, or a function such as floor, whose arguments were counted on the way
            count = 1
        if count > max_terms:
            raise ValueProblem(f"more than {max_terms:,} terms when multiplied out", "limit")
        terms[node] = count
    return terms[value]


def printed_size(value: Expr) -> int:
    """Terms of ``value`` as printed, each shared subexpression counted wherever it appears.

    >>> h = sympy.Symbol("h")
    >>> printed_size(sympy.Min(h + 1, h + 2, evaluate=False))
    7
    """
    size: dict[sympy.Basic, int] = {}
    for node in _children_first(value):
        size[node] = min(1 + sum(size[arg] for arg in node.args), 10 * limits.MAX_SIZE_TERMS)
    return size[value]


def _children_first(value: sympy.Basic) -> list[sympy.Basic]:
    """The distinct subexpressions of ``value``, each after its arguments, without recursion."""
    order: list[sympy.Basic] = []
    seen: set[sympy.Basic] = set()
    stack = [value]
    while stack:
        node = stack[-1]
        if node in seen:
            stack.pop()
            continue
        pending = [arg for arg in node.args if arg not in seen]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        seen.add(node)
        order.append(node)
    return order


def peak(values: list[Any]) -> Any:
    """The largest of ``values``: a number, or a SymPy ``Max`` of the candidates no other one dominates.

    SymPy's own ``Max`` compares every pair through its assumptions system, which takes minutes
    for a GoogLeNet; dropping a candidate that another exceeds term by term is fast and exact.

    >>> H = sympy.Symbol("H", positive=True)
    >>> peak([3 * H, 2 * H + 1, H**2, 1])
    Max(3*H, H**2, 2*H + 1)
    """
    terms = {value: sympy.expand(value).as_coefficients_dict() for value in map(expr, values)}
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
        return number(max(kept))
    return kept[0] if len(kept) == 1 else sympy.Max(*kept, evaluate=False)
