"""Resource limits that keep hostile or mistaken input from hanging or exhausting memory.

Each is documented in the README; exceeding one raises SymcnnError(kind="limit").
"""

MAX_INPUT_CHARS = 200_000
"""Longest network text accepted."""

MAX_NESTING = 50
"""Deepest nesting of brackets and of macro calls."""

MAX_LAYERS = 100_000
"""Most layer instances a network may expand to (repeats and macros unrolled)."""

MAX_EXPR_NODES = 1_000
"""Most operators and operands in one braced expression or command-line value."""

MAX_DIGITS = 1_000
"""Most decimal digits of any number, typed or computed inside an expression."""
