"""One renderer module per output format; each takes an Analysis and returns text."""

from __future__ import annotations

from sympy import Expr


def number(value: Expr) -> str:
    """An integer with digit grouping (1,728); any other value as its SymPy expression."""
    return f"{int(value):,}" if value.is_Integer else str(value)


def shape(dims: tuple[Expr, Expr, Expr]) -> str:
    return "x".join(str(d) if d.is_Atom else f"({d})" for d in dims)
