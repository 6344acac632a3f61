"""Resource limits that keep hostile or mistaken input from hanging or exhausting memory.

Each is documented in the README; exceeding one raises SymcnnError(kind="limit").
"""

from __future__ import annotations

import math

import sympy

MAX_INPUT_CHARS = 200_000
"""Longest network text accepted."""

MAX_NESTING = 50
"""Deepest nesting of brackets and of macro calls."""

MAX_LAYERS = 100_000
"""Most layer instances a network may expand to (repeats and macros unrolled)."""

MAX_EXPR_NODES = 1_000
"""Most operators and operands in one braced expression or command-line value, as written
and as multiplied out (terms)."""

MAX_DIGITS = 1_000
"""Most decimal digits of any number, typed, computed inside an expression, or computed by the
analysis (a size or a cost of one layer)."""

MAX_TERMS = 20_000
"""Most terms, over the distinct costs of all layers, once multiplied out: the work of the totals."""

MAX_MIN_MAX_ARGS = 8
"""Most arguments of one min or max (nested ones count: SymPy merges them and compares every pair)."""


class TooLarge(Exception):
    """A value past a limit; the message says which."""


def measure(value: sympy.Expr, max_terms: int) -> int:
    """The number of terms of ``value`` once multiplied out; TooLarge past ``max_terms`` or MAX_DIGITS.

    SymPy keeps products and powers of sums as they are written; it is ``expand`` (in the
    totals) that multiplies them out, and it could run for hours: ``(a+b+c)^60`` is 1,891
    terms. Terms are counted without expanding, over shared subexpressions, in time linear
    in the expression.

    >>> import sympy
    >>> a, b, c = sympy.symbols("a b c")
    >>> measure((a + b) ** 3 * c + 10**999, 1000)
    5
    >>> measure((a + b + c) ** 60, 1000)
    Traceback (most recent call last):
    symcnn.limits.TooLarge: more than 1,000 terms when multiplied out
    """
    bits = MAX_DIGITS * math.log2(10)
    terms: dict[sympy.Basic, int] = {}
    for node in _children_first(value):
        if node.is_Rational:
            if max(abs(node.p).bit_length(), node.q.bit_length()) > bits:  # type: ignore[attr-defined]
                raise TooLarge(f"a number with more than {MAX_DIGITS:,} digits")
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
            raise TooLarge(f"more than {max_terms:,} terms when multiplied out")
        terms[node] = count
    return terms[value]


MAX_SIZE_TERMS = 2_000
"""Most terms in one symbolic size as printed (nested ceil-mode pools can double it at every layer)."""


def printed_size(value: sympy.Expr) -> int:
    """Terms of ``value`` as printed, each shared subexpression counted wherever it appears.

    >>> import sympy
    >>> h = sympy.Symbol("h")
    >>> printed_size(sympy.Min(h + 1, h + 2, evaluate=False))
    7
    """
    size: dict[sympy.Basic, int] = {}
    for node in _children_first(value):
        size[node] = min(1 + sum(size[arg] for arg in node.args), 10 * MAX_SIZE_TERMS)
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
