"""Values as the notation writes them: exact numbers, names, and expressions over them.

A value in a network is a Python ``int`` or ``fractions.Fraction``, a :class:`Name`, or an
:class:`Op` (an operator or function applied to values). Expressions of numbers are folded
as they are built, so ``{64/8}`` is the int 8. Nothing here imports SymPy: numbers stay
exact Python numbers, and :mod:`symcnn.arith` evaluates a value with names bound to numbers
(or, when names are left, to SymPy symbols).

>>> v = add(mul(64, Name("w")), 8)
>>> text(v), slot(v), names(v)
('64*w + 8', '{64*w + 8}', {'w'})
>>> slot(div(3, 4)), slot(floor_of(div(Name("H"), 2)))
('{3/4}', '{floor(H/2)}')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Union

from . import limits
from .numbers import (
    COMPARISONS,
    FUNCTIONS,
    NUMERIC,
    Number,
    ValueProblem,
    check_digits,
    exact,
    n_ceil,
    n_div,
    n_floor,
    n_make_divisible,
    n_pow,
    n_round,
)

__all__ = ["FUNCTIONS", "NUMERIC", "Apply", "Name", "Number", "Op", "Value", "ValueProblem", "Word", "check_digits",
           "exact", "n_ceil", "n_div", "n_floor", "n_make_divisible", "n_pow", "n_round"]


@dataclass(frozen=True, slots=True)
class Name:
    """A name: a size, a parameter of a definition, or a quantity such as a width ``w``."""

    name: str


@dataclass(frozen=True, slots=True)
class Op:
    """``op`` applied to ``args``. ``size`` counts operators and operands as written, ``terms`` the
    terms once multiplied out; neither takes part in equality."""

    op: str
    args: tuple[Value, ...]
    size: int = field(default=1, compare=False)
    terms: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Word:
    """A keyword option value, such as ``same`` in ``p=same`` or ``bilinear`` in ``mode=bilinear``."""

    word: str


@dataclass(frozen=True, slots=True)
class Apply:
    """``name(args)`` written where a value goes: a block passed to a definition (``block(se(16))``)."""

    name: str
    args: tuple[Value, ...]


Value = Union[int, Fraction, Name, Op, Word, Apply]


def is_number(value: object) -> bool:
    return type(value) is int or type(value) is Fraction


# Building expressions: numbers folded, sums and products flat, sizes counted.

def size(value: Value) -> int:
    """Operators and operands of a value as written."""
    return _size(value)


def _size(value: Value) -> int:
    return value.size if type(value) is Op else 1


def _terms(value: Value) -> int:
    return value.terms if type(value) is Op else 1


def build(op: str, args: tuple[Value, ...], terms: int = 1, size: int | None = None) -> Value:
    """``op`` of ``args``, folded to a number when every argument is one; ``size`` as written (operands and
    operators), ``terms`` once multiplied out, each checked against the limit."""
    if all(type(a) is int or type(a) is Fraction for a in args):
        return check_digits(NUMERIC[op](*args))
    if size is None:
        size = 1 + sum(_size(a) for a in args)
    if size > limits.MAX_EXPR_NODES:
        raise ValueProblem(f"expression too large (more than {limits.MAX_EXPR_NODES:,} operators and operands)",
                           "limit")
    if terms > limits.MAX_EXPR_NODES:
        raise ValueProblem(f"expression too large: more than {limits.MAX_EXPR_NODES:,} terms when multiplied out",
                           "limit")
    return Op(op, args, size, terms)


def _flat(op: str, args: tuple[Value, ...]) -> tuple[list[Value], list[Value]]:
    """The numbers and the other arguments of an n-ary ``op``, nested ones of the same op merged."""
    numbers: list[Value] = []
    rest: list[Value] = []
    for arg in args:
        if type(arg) is Op and arg.op == op:
            for inner in arg.args:
                (numbers if is_number(inner) else rest).append(inner)
        else:
            (numbers if is_number(arg) else rest).append(arg)
    return numbers, rest


def _chain_size(args: tuple[Value, ...]) -> int:
    return sum(_size(a) for a in args) + len(args) - 1


def add(*args: Value, size: int | None = None) -> Value:
    """The sum, numbers folded; ``size`` is its size as written when the caller knows it (a - b is 3, not 4)."""
    numbers, rest = _flat("add", args)
    constant = NUMERIC["add"](*numbers) if numbers else 0
    if not rest:
        return check_digits(constant)
    parts = tuple(rest) + ((check_digits(constant),) if constant != 0 else ())
    if len(parts) == 1:
        return parts[0]
    return build("add", parts, sum(_terms(p) for p in parts), _chain_size(args) if size is None else size)


def mul(*args: Value, size: int | None = None) -> Value:
    numbers, rest = _flat("mul", args)
    constant = NUMERIC["mul"](*numbers) if numbers else 1
    if not rest or constant == 0:
        return check_digits(constant)
    parts = ((check_digits(constant),) if constant != 1 else ()) + tuple(rest)
    if len(parts) == 1:
        return parts[0]
    return build("mul", parts, math.prod(_terms(p) for p in parts), _chain_size(args) if size is None else size)


def neg(a: Value) -> Value:
    return -a if is_number(a) else mul(-1, a, size=_size(a) + 1)  # type: ignore[operator]


def sub(a: Value, b: Value) -> Value:
    return add(a, neg(b))


def div(a: Value, b: Value) -> Value:
    if is_number(b) and is_number(a):
        return check_digits(n_div(a, b))  # type: ignore[arg-type]
    if is_number(b):
        if b == 0:
            raise ValueProblem("division by zero")
        return mul(a, n_div(1, b))  # type: ignore[arg-type]
    return build("div", (a, b), _terms(a), _chain_size((a, b)))


def floordiv(a: Value, b: Value) -> Value:
    return floor_of(div(a, b))


def floor_of(a: Value) -> Value:
    return build("floor", (a,), _terms(a))


def power(a: Value, b: Value) -> Value:
    if not is_number(b) or type(b) is not int or abs(b) > 100:
        raise ValueProblem("an exponent must be a whole number from -100 to 100")
    if is_number(a):
        return check_digits(n_pow(a, b))  # type: ignore[arg-type]
    base = _terms(a)
    terms = math.comb(base + abs(b) - 1, abs(b)) if base > 1 else 1
    return build("pow", (a, b), terms, _chain_size((a, b)))


def function(name: str, args: tuple[Value, ...]) -> Value:
    """``name(args)`` for a function of :data:`FUNCTIONS`, its argument count checked."""
    wanted = FUNCTIONS[name]
    if wanted is None:
        if not args:
            raise ValueProblem(f"{name} takes at least one argument")
        numbers, rest = _flat(name, args)
        if len(numbers) + len(rest) > limits.MAX_MIN_MAX_ARGS:
            raise ValueProblem(f"{name} has more than {limits.MAX_MIN_MAX_ARGS} arguments (nested min and max "
                               "count)", "limit")
        args = tuple(rest) + ((NUMERIC[name](*numbers),) if numbers else ())
        if len(args) == 1:
            return args[0]
    elif isinstance(wanted, tuple) and len(args) not in wanted:
        raise ValueProblem(f"{name} takes {' or '.join(map(str, wanted))} arguments, not {len(args)}")
    elif name == "if" and is_number(args[0]):
        return args[1] if args[0] != 0 else args[2]
    elif isinstance(wanted, int) and len(args) != wanted:
        raise ValueProblem(f"{name} takes one argument, not {len(args)}")
    return build(name, args, max(_terms(a) for a in args))


# Reading values.

def names(value: Value) -> set[str]:
    """The names a value uses."""
    if type(value) is Name:
        return {value.name}
    if type(value) is Op or type(value) is Apply:
        return set().union(*(names(a) for a in value.args))
    return set()


def substitute(value: Value, mapping: Mapping[str, Value]) -> Value:
    """The value with names replaced (and numbers folded again).

    >>> substitute(add(mul(2, Name("a")), Name("b")), {"a": 3})
    Op(op='add', args=(Name(name='b'), 6), size=3, terms=2)
    """
    if type(value) is Name:
        return mapping.get(value.name, value)
    if type(value) is Op:
        args = tuple(substitute(a, mapping) for a in value.args)
        return rebuild(value.op, args)
    if type(value) is Apply:
        return Apply(value.name, tuple(substitute(a, mapping) for a in value.args))
    return value


def compare(op: str, a: Value, b: Value) -> Value:
    """``a op b`` (``==``, ``!=``, ``<``, …) as 1 or 0."""
    return build(COMPARISONS[op], (a, b), 1, _chain_size((a, b)))


def rebuild(op: str, args: tuple[Value, ...]) -> Value:
    """``op`` of ``args`` through the builder that folds it."""
    if op == "add":
        return add(*args)
    if op == "mul":
        return mul(*args)
    if op == "div":
        return div(*args)
    if op == "pow":
        return power(*args)
    return function(op, args) if op in FUNCTIONS else build(op, args)


# Printing values as the notation writes them.

_PRECEDENCE = {"add": 1, "mul": 2, "div": 2, "pow": 4, **{name: 0 for name in COMPARISONS.values()}}
_SYMBOLS = {name: symbol for symbol, name in COMPARISONS.items()}


def number(value: Number) -> str:
    return str(value)


def text(value: Value, outer: int = 0) -> str:
    """A value as an expression of the notation: ``64*w + 8``, ``floor(H/2)``, ``3/4``."""
    if type(value) is int:
        return str(value) if value >= 0 or outer == 0 else f"({value})"
    if type(value) is Fraction:
        return f"{value}" if outer < 2 else f"({value})"
    if type(value) is Name:
        return value.name
    if type(value) is Word:
        return value.word
    if type(value) is Apply:
        return f"{value.name}({', '.join(text(a) for a in value.args)})" if value.args else value.name
    assert type(value) is Op
    op, args = value.op, value.args
    level = _PRECEDENCE.get(op, 5)
    if op == "add":
        out = text(args[0], 1)
        for arg in args[1:]:
            if type(arg) is Op and arg.op == "mul" and is_number(arg.args[0]) and arg.args[0] < 0:  # type: ignore[operator]
                positive = mul(-arg.args[0], *arg.args[1:])  # type: ignore[operator]
                out += " - " + text(positive, 2)
            elif is_number(arg) and arg < 0:  # type: ignore[operator]
                out += f" - {-arg}"  # type: ignore[operator]
            else:
                out += " + " + text(arg, 1)
    elif op == "mul":
        if args[0] == -1:
            out = "-" + text(mul(*args[1:]), 3)
        elif type(args[0]) is Fraction:
            top = mul(args[0].numerator, *args[1:])  # type: ignore[union-attr]
            out = f"{text(top, 2)}/{args[0].denominator}"  # type: ignore[union-attr]
        else:
            out = "*".join(text(a, 2) for a in args)
    elif op == "div":
        out = f"{text(args[0], 2)}/{text(args[1], 3)}"
    elif op == "pow":
        out = f"{text(args[0], 5)}^{text(args[1], 5)}"
    elif op in _SYMBOLS:
        out = f"{text(args[0], 1)} {_SYMBOLS[op]} {text(args[1], 1)}"
    else:
        return f"{op}({', '.join(text(a) for a in args)})"
    return f"({out})" if level < outer or (level == outer and op in ("div",) and outer == 2) else out


def slot(value: Value) -> str:
    """A value in a value slot: bare when a number or a name (``64``, ``K``), else braced (``{64*w}``)."""
    if (type(value) is int and value >= 0) or type(value) is Name or type(value) is Word:
        return text(value)
    return "{" + text(value) + "}"
