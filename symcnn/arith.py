"""Arithmetic on bound values: exact Python numbers when sizes are known, SymPy when names are left.

A layer's cost is written once with ``+``, ``-``, ``*`` and the helpers here
(:func:`div`, :func:`floordiv`, :func:`ceildiv`, :func:`minimum`, …). On ints and
Fractions they compute exactly and never import SymPy; given a SymPy expression they
hand over to :mod:`symcnn.symbolic`, which is imported then and only then.

>>> floordiv(225, 2), div(3, 4), evaluate(values.add(values.mul(64, values.Name("w")), 8), {"w": div(3, 4)})
(112, Fraction(3, 4), 56)
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from . import values
from .values import NUMERIC, Apply, Name, Op, ValueProblem, Word, check_digits

Bound = Any
"""A value with its names bound: an int, a Fraction, or a SymPy expression where names are left."""


def numeric(value: Bound) -> bool:
    return type(value) is int or type(value) is Fraction


def norm(value: Bound) -> Bound:
    """A SymPy number as the Python number it is; anything else unchanged."""
    if type(value) is int or type(value) is Fraction or not getattr(value, "is_Number", False):
        return value
    from . import symbolic

    return symbolic.number(value)


def _symbolic() -> Any:
    from . import symbolic

    return symbolic


def evaluate(value: values.Value, env: Mapping[str, Bound]) -> Bound:
    """The value with every name replaced by its binding in ``env``, computed (KeyError for an unbound name)."""
    kind = type(value)
    if kind is int or kind is Fraction or kind is Word:
        return value
    if kind is Name:
        found = env[value.name]  # type: ignore[union-attr]
        if type(found) is Apply:
            raise ValueProblem(f"'{value.name}' is the block {values.text(found)}, not a number")  # type: ignore[union-attr]
        return found
    if kind is Op:
        args = [evaluate(a, env) for a in value.args]  # type: ignore[union-attr]
        if all(type(a) is int or type(a) is Fraction for a in args):
            return check_digits(NUMERIC[value.op](*args))  # type: ignore[union-attr]
        return _symbolic().OPS[value.op](*args)  # type: ignore[union-attr]
    assert kind is Apply
    raise ValueProblem(f"{values.text(value)} is a block, not a number")


def div(a: Bound, b: Bound) -> Bound:
    """a / b, exact: a Fraction (or int) for numbers, never a float."""
    if b == 1:
        return a
    if numeric(a) and numeric(b):
        return check_digits(values.n_div(a, b))
    return _symbolic().OPS["div"](a, b)


def floordiv(a: Bound, b: Bound) -> Bound:
    """floor(a / b)."""
    if type(a) is int and type(b) is int and b:
        return a // b
    if numeric(a) and numeric(b):
        return values.n_floor(values.n_div(a, b))
    return _symbolic().floordiv(a, b)


def ceildiv(a: Bound, b: Bound) -> Bound:
    """ceil(a / b)."""
    if type(a) is int and type(b) is int and b:
        return -(-a // b)
    if numeric(a) and numeric(b):
        return values.n_ceil(values.n_div(a, b))
    return _symbolic().ceildiv(a, b)


def floor(a: Bound) -> Bound:
    return values.n_floor(a) if numeric(a) else _symbolic().OPS["floor"](a)


def minimum(*args: Bound) -> Bound:
    return min(args) if all(map(numeric, args)) else _symbolic().OPS["min"](*args)


def maximum(*args: Bound) -> Bound:
    return max(args) if all(map(numeric, args)) else _symbolic().OPS["max"](*args)


def total(terms: list[Bound]) -> Bound:
    """The sum of many values: a Python sum for numbers, one SymPy Add otherwise (linear time)."""
    if all(type(t) is int for t in terms):
        return sum(terms)
    if all(map(numeric, terms)):
        return values.exact(sum(terms, start=Fraction(0)))
    import sympy

    return norm(sympy.Add(*terms))


def is_positive_integer(value: Bound, minimum: int = 1) -> bool | None:
    """True or False for a number; None when names are left (it depends on them)."""
    if type(value) is int:
        return value >= minimum
    if type(value) is Fraction:
        return False
    return None


def same(a: Bound, b: Bound) -> bool:
    """Whether two sizes are equal for every value of the names they hold (see :func:`symcnn.symbolic.same`)."""
    if numeric(a) and numeric(b):
        return bool(a == b)
    return a == b or bool(_symbolic().same(a, b))


def show(value: Bound) -> str:
    """A bound value as the notation writes it: ``64``, ``K``, ``{64*w}``, ``{3/4}``."""
    if type(value) is int and value >= 0:
        return str(value)
    if type(value) is Word:
        return value.word
    if getattr(value, "is_Symbol", False):
        return str(value)
    return "{" + text(value) + "}"


def text(value: Bound) -> str:
    """A bound value as an expression: ``64*w``, ``floor(H/2)``; powers written ``^``."""
    if numeric(value):
        return str(value)
    return str(value).replace("**", "^")


def factor(value: Bound) -> str:
    """A value as a factor of a product: bare when a number or a name, parenthesised otherwise."""
    if (type(value) is int and value >= 0) or getattr(value, "is_Symbol", False):
        return str(value)
    return "(" + text(value) + ")"


def number(value: Bound) -> str:
    """A count for people: an integer with digit grouping (1,728); any other value as its expression."""
    return f"{value:,}" if type(value) is int else text(norm(value)) if not getattr(value, "is_Integer", False) \
        else f"{int(value):,}"


def shape(dims: tuple[Bound, ...]) -> str:
    """``224x224x64``; a compound size in parentheses."""
    return "x".join(text(d) if numeric(d) or getattr(d, "is_Atom", False) else f"({text(d)})" for d in dims)


def decimal(value: Bound) -> str:
    """A value as an exact decimal when it has one (``0.265625`` for 17/64), else as a fraction (``1/3``).

    >>> decimal(Fraction(17, 64)), decimal(Fraction(1, 3)), decimal(224)
    ('0.265625', '1/3', '224')
    """
    value = norm(value)
    if type(value) is int:
        return str(value)
    if type(value) is not Fraction:
        return text(value)
    denominator, places = value.denominator, 0
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return str(value)
    while (value * 10**places).denominator != 1:
        places += 1
    digits = str(abs(int(value * 10**places))).rjust(places + 1, "0")
    return f"{'-' * (value < 0)}{digits[:-places]}.{digits[-places:]}"
