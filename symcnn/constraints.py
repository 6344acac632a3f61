"""Budgets such as ``params <= 10e6 and macs < 1e9``: a small parser that reads every number exactly.

A budget is one or more ``TOTAL OP NUMBER`` joined by ``and``; TOTAL is a key of
:data:`~symcnn.analysis.TOTAL_KEYS`, OP is ``<=``, ``<``, ``>=`` or ``>``, NUMBER is
decimal with an optional exponent (``10e6``, ``1.5e9``, ``2_000_000``), read as an exact
rational: ``10e6`` is the integer 10000000, never a float.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import sympy
from sympy import Expr, Rational

from . import limits
from .constants import TOTAL_KEYS
from .errors import SymcnnError
from .syntax import parse_value

TOKEN = re.compile(r"""\s*(?:
    (?P<number>(?=\.?\d)(?P<whole>\d(?:_?\d)*)?(?:\.(?P<fraction>\d(?:_?\d)*)?)?(?:[eE](?P<exponent>[+-]?\d+))?(?![\w.]))
  | (?P<op><=|>=|<|>)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>\S+)
)""", re.VERBOSE)
EXAMPLE = "params <= 10e6 and macs <= 1e9"
COMPARE = {"<=": sympy.Le, "<": sympy.Lt, ">=": sympy.Ge, ">": sympy.Gt}


@dataclass(frozen=True)
class Constraint:
    """``total op bound``: for example params <= 10000000."""

    total: str
    op: str
    bound: Rational

    @property
    def upper(self) -> bool:
        """True for ``<=`` and ``<``: a budget that caps the total."""
        return self.op.startswith("<")

    def holds(self, value: Expr) -> bool:
        """Whether a numeric total meets the constraint."""
        return bool(COMPARE[self.op](value, self.bound))

    def relation(self, total: Expr) -> sympy.core.relational.Relational:
        return COMPARE[self.op](total, self.bound)

    def __str__(self) -> str:
        bound = f"{int(self.bound):,}" if self.bound.is_Integer else str(self.bound)
        return f"{self.total} {self.op} {bound}"


def parse_constraints(text: str) -> tuple[Constraint, ...]:
    """The constraints in ``text``, numbers exact.

    >>> [str(c) for c in parse_constraints("params <= 10e6 and macs < 1.5e9")]
    ['params <= 10,000,000', 'macs < 1,500,000,000']
    >>> parse_constraints("activations>=2_000")[0].bound
    2000
    """
    if len(text) > limits.MAX_INPUT_CHARS:
        raise SymcnnError(f"the constraint has {len(text):,} characters; the limit is {limits.MAX_INPUT_CHARS:,}",
                          "limit")
    tokens = [m for m in TOKEN.finditer(text) if m.lastgroup is not None]
    if not text.strip():
        raise SymcnnError("give a constraint", "syntax error", hint=f"for example '{EXAMPLE}'")
    found: list[Constraint] = []
    expected = ("word", "op", "number")
    i = 0
    while True:
        clause = tokens[i:i + 3]
        for token, kind in zip(clause + [None] * (3 - len(clause)), expected):  # type: ignore[list-item]
            if token is None or token.lastgroup != kind:
                raise _error(text, token, kind)
        total = clause[0].group("word")
        if total not in TOTAL_KEYS:
            close = difflib.get_close_matches(total.lower(), TOTAL_KEYS, n=1)
            raise SymcnnError(f"unknown total '{total}'; the totals are {', '.join(TOTAL_KEYS)}", "error", text,
                              *_where(text, clause[0].start("word")), f"did you mean {close[0]}?" if close else None)
        found.append(Constraint(total, clause[1].group("op"), _number(clause[2], text)))
        i += 3
        if i == len(tokens):
            return tuple(found)
        if tokens[i].lastgroup != "word" or tokens[i].group("word").lower() != "and":
            raise _error(text, tokens[i], "and")
        i += 1


def _number(token: re.Match[str], text: str) -> Rational:
    written = token.group("number").replace("_", "")
    if not (token.group("whole") or token.group("fraction")):
        raise _error(text, token, "number")
    try:
        value = parse_value(written, "a bound")
    except SymcnnError as error:
        raise SymcnnError(error.message, error.kind, text, *_where(text, token.start("number"))) from None
    return sympy.Rational(value.numerator, value.denominator) if not isinstance(value, int) else sympy.Integer(value)


def _error(text: str, token: re.Match[str] | None, wanted: str, hint: str | None = None) -> SymcnnError:
    words = {"word": f"a total ({', '.join(TOTAL_KEYS)})", "op": "<=, <, >= or >", "number": "a number such as 10e6",
             "and": "'and' or the end"}
    if token is None:
        message, position = "the constraint ends too soon", len(text.rstrip())
    else:
        position = token.start(token.lastgroup)  # type: ignore[arg-type]
        message = f"unexpected '{token.group(token.lastgroup)}' in the constraint"
    return SymcnnError(f"{message}; expected {words[wanted]}", "syntax error", text, *_where(text, position),
                       hint or f"a constraint is TOTAL OP NUMBER joined by 'and', for example '{EXAMPLE}'")


def _where(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    return text.count("\n", 0, position) + 1, position - (text.rfind("\n", 0, position) + 1) + 1
