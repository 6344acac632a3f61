"""Exact numbers: the arithmetic of the notation's functions on ints and Fractions, digit-checked.

Every operator of :mod:`symcnn.values` on numbers is here (:data:`NUMERIC`), with the
notation's own functions: ``make_divisible`` (torchvision's), ``round`` (half to even), and
RegNet's quantized stage widths and depths (``regnet_width`` …).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Union

from . import limits

Number = Union[int, Fraction]


class ValueProblem(Exception):
    """A value that cannot be built or evaluated (division by zero, a limit); the caller adds where."""

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


def exact(value: Number) -> Number:
    """A Fraction with denominator 1 as the int it is."""
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def check_digits(value: Number) -> Number:
    bits = limits.MAX_DIGITS * 3.3219280948873626  # log2(10)
    top = value if type(value) is int else max(abs(value.numerator), value.denominator)  # type: ignore[union-attr]
    if abs(top).bit_length() > bits:
        raise ValueProblem(f"a number with more than {limits.MAX_DIGITS:,} digits", "limit")
    return value


# Numbers: exact arithmetic, each result checked against the digit limit.

def n_div(a: Number, b: Number) -> Number:
    if b == 0:
        raise ValueProblem("division by zero")
    if type(a) is int and type(b) is int and a % b == 0:
        return a // b
    return exact(Fraction(a) / b)


def n_floor(a: Number) -> int:
    return a if type(a) is int else math.floor(a)


def n_ceil(a: Number) -> int:
    return a if type(a) is int else math.ceil(a)


def n_round(a: Number) -> int:
    """Round half to even, as Python's ``round`` and ``torch.round``."""
    return a if type(a) is int else round(a)


def n_pow(a: Number, b: Number) -> Number:
    if type(b) is not int or abs(b) > 100:
        raise ValueProblem("an exponent must be a whole number from -100 to 100")
    if a == 0 and b < 0:
        raise ValueProblem("division by zero")
    top = a if type(a) is int else max(abs(a.numerator), a.denominator)  # type: ignore[union-attr]
    if abs(b) * max(abs(top).bit_length(), 1) * 0.302 > limits.MAX_DIGITS:
        raise ValueProblem(f"number too large (more than {limits.MAX_DIGITS:,} digits)", "limit")
    return exact(Fraction(a) ** b) if b < 0 or type(a) is not int else a**b


def n_make_divisible(v: Number, d: Number, minimum: Number | None = None) -> int:
    """torchvision's ``_make_divisible``: the multiple of d nearest v (halves up), at least ``minimum`` (d by
    default), plus d more if that is below 90% of v. Exact: 0.9 is 9/10."""
    if type(d) is not int or d < 1:
        raise ValueProblem(f"make_divisible needs a positive whole divisor, not {d}")
    new = max(d if minimum is None else minimum, math.floor(Fraction(v) / d + Fraction(1, 2)) * d)
    return int(new + d if new < Fraction(9, 10) * v else new)


def _log_round(x: Fraction, base: Fraction) -> int:
    """round(log(x) / log(base)) for x >= 1, base > 1, exactly (half to even, as torch.round)."""
    k = max(0, round(math.log(x) / math.log(base)))
    while k > 0 and x * x < base ** (2 * k - 1):  # log x < k - 1/2
        k -= 1
    while x * x >= base ** (2 * k + 1):  # log x >= k + 1/2
        k += 1
    if k > 0 and x * x == base ** (2 * k - 1) and k % 2:  # exactly k - 1/2: to the even one
        k -= 1
    return k


def _regnet(w0: Number, wa: Number, wm: Number, depth: Number) -> list[tuple[int, int]]:
    """RegNet's stages (Radosavovic et al. 2020, torchvision's ``BlockParams``): (width, depth) of each.

    Block j has the width w0 + wa*j, moved to the nearest w0*wm^k in log space and to a multiple
    of 8; consecutive blocks of one width form a stage.
    """
    if type(depth) is not int or depth < 1 or wa < 0 or w0 <= 0 or wm <= 1 or w0 % 8 != 0:
        raise ValueProblem(f"invalid RegNet settings w0={w0}, wa={wa}, wm={wm}, depth={depth}")
    stages: list[list[int]] = []
    for j in range(depth):
        k = _log_round(Fraction(w0 + wa * j) / w0, Fraction(wm))
        width = n_round(Fraction(w0) * Fraction(wm) ** k / 8) * 8
        if stages and stages[-1][0] == width:
            stages[-1][1] += 1
        else:
            stages.append([width, 1])
    return [(width, count) for width, count in stages]


def _stage(stages: list[tuple[int, int]], i: Number) -> tuple[int, int]:
    if type(i) is not int or not 0 <= i < len(stages):
        raise ValueProblem(f"RegNet stage {i} does not exist: these settings give {len(stages)} stages")
    return stages[i]


def n_regnet_width(w0: Number, wa: Number, wm: Number, depth: Number, group: Number, i: Number) -> int:
    """The width of RegNet stage i, made compatible with its group width (bottleneck ratio 1)."""
    width = _stage(_regnet(w0, wa, wm, depth), i)[0]
    return n_make_divisible(width, min(group, width))


def n_regnet_groups(w0: Number, wa: Number, wm: Number, depth: Number, group: Number, i: Number) -> int:
    """The group width of RegNet stage i: the group width, or the stage width when that is smaller."""
    return min(group, _stage(_regnet(w0, wa, wm, depth), i)[0])  # type: ignore[no-any-return]


def n_if(condition: Number, yes: Number, no: Number) -> Number:
    return yes if condition != 0 else no


COMPARISONS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}

NUMERIC: dict[str, Callable[..., Number]] = {
    "eq": lambda a, b: int(a == b),
    "ne": lambda a, b: int(a != b),
    "lt": lambda a, b: int(a < b),
    "le": lambda a, b: int(a <= b),
    "gt": lambda a, b: int(a > b),
    "ge": lambda a, b: int(a >= b),
    "if": n_if,
    "regnet_width": n_regnet_width,
    "regnet_groups": n_regnet_groups,
    "regnet_depth": lambda w0, wa, wm, depth, i: _stage(_regnet(w0, wa, wm, depth), i)[1],
    "regnet_stages": lambda w0, wa, wm, depth: len(_regnet(w0, wa, wm, depth)),
    "add": lambda *a: exact(sum(a, start=0)),  # type: ignore[arg-type]
    "mul": lambda *a: exact(math.prod(a)),
    "div": n_div,
    "floordiv": lambda a, b: n_floor(n_div(a, b)),
    "neg": lambda a: -a,
    "pow": n_pow,
    "floor": n_floor,
    "ceil": n_ceil,
    "round": n_round,
    "min": lambda *a: min(a),
    "max": lambda *a: max(a),
    "make_divisible": n_make_divisible,
}
"""Each operator on exact numbers."""

FUNCTIONS = {"floor": 1, "ceil": 1, "round": 1, "min": None, "max": None, "make_divisible": (2, 3), "if": (3,),
             "regnet_width": (6,), "regnet_groups": (6,), "regnet_depth": (5,), "regnet_stages": (4,)}
"""The functions the notation knows, with how many arguments each takes (None: any number, at least one)."""
