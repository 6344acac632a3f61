"""Resource limits that keep hostile or mistaken input from hanging or exhausting memory.

Each is documented in the README; exceeding one raises SymcnnError(kind="limit"). How a
symbolic value is measured against them is in :mod:`symcnn.symbolic`.
"""

from __future__ import annotations

MAX_INPUT_CHARS = 200_000
"""Longest network text accepted."""

MAX_NESTING = 50
"""Deepest nesting of brackets and of macro calls."""

MAX_LAYERS = 10_000
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

MAX_SIZE_TERMS = 2_000
"""Most terms in one symbolic size as printed (nested ceil-mode pools can double it at every layer)."""
