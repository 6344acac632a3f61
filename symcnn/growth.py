"""How a total grows with each name: its leading term and its exponent in each name.

A total is a polynomial in its names once floors are set aside: ``floor(r/32)`` grows as
``r/32``, so the leading term and the exponents are those of the polynomial with each
``floor``/``ceiling`` replaced by its argument. Rounded channel counts (``Piecewise``,
``Max``) are piecewise constant: such a total has no polynomial growth to report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy
from sympy import Expr

UNROUNDED = (sympy.floor, sympy.ceiling)
NOT_POLYNOMIAL = (sympy.Piecewise, sympy.Max, sympy.Min)


@dataclass(frozen=True)
class Growth:
    """The terms of highest total degree, and the degree in each name (by name)."""

    leading: Expr
    exponents: dict[str, int]

    def law(self) -> str:
        """``w^2 r^2``: the product of the names to their exponents (``1`` for a constant)."""
        parts = [name if e == 1 else f"{name}^{e}" for name, e in self.exponents.items() if e]
        return " ".join(parts) or "1"


def growth(total: Expr) -> Growth | None:
    """The growth of a total as its names grow; None when it is not a polynomial in them.

    >>> import symcnn
    >>> from symcnn.scaling import scaled
    >>> vgg = scaled(symcnn.load("vgg16"), width="w", resolution="r").analyze()
    >>> g = growth(vgg.totals["params"])
    >>> g.leading, g.exponents, g.law()
    (2048*r**2*w**2, {'r': 2, 'w': 2}, 'r^2 w^2')
    """
    names = sorted(total.free_symbols, key=str)
    smooth = total.replace(lambda e: isinstance(e, UNROUNDED), lambda e: e.args[0])
    if smooth.has(*NOT_POLYNOMIAL) or not smooth.is_polynomial(*names):
        return None
    if not names:
        return Growth(smooth, {})
    poly = sympy.Poly(smooth, *names)
    top = max(sum(monomial) for monomial in poly.monoms())
    leading = sympy.Add(*(coefficient * sympy.Mul(*(n ** e for n, e in zip(names, monomial)))
                          for monomial, coefficient in poly.terms() if sum(monomial) == top))
    return Growth(leading, {n.name: poly.degree(n) for n in names})


def collected(total: Expr, names: list[sympy.Symbol]) -> Expr:
    """The total as a polynomial in ``names``, like powers gathered (coefficients exact).

    >>> w, H = sympy.Symbol("w", positive=True), sympy.Symbol("H", positive=True)
    >>> collected(2048*H*w**2 + 14710464*w**2 + 5120*w + 1000, [w])
    w**2*(2048*H + 14710464) + 5120*w + 1000
    """
    return sympy.collect(sympy.expand(total), names)


def lines(totals: Mapping[str, Expr], inputs: set[sympy.Symbol]) -> list[str]:
    """The growth section of ``--formula``: the leading term and exponents of each total that has names.

    Names other than the input sizes (a width ``w``, a depth ``n``) also get the total
    collected in their powers.
    """
    keys = [key for key, total in totals.items() if total.free_symbols]
    if not keys:
        return []
    width = max(map(len, totals))
    found = {key: growth(totals[key]) for key in keys}
    leading = {key: str(g.leading) if g else "" for key, g in found.items()}
    column = max(map(len, leading.values()))
    out = ["", "growth (leading term, and the exponent of each name):"]
    for key, g in found.items():
        if g is None:
            out.append(f"  {key.ljust(width)}   not a polynomial (rounded channel counts): evaluate it at values")
        else:
            out.append(f"  {key.ljust(width)} ~ {leading[key].ljust(column)}   {g.law()}")
    scaling = sorted(set().union(*(totals[k].free_symbols for k in keys)) - inputs, key=str)
    gathered = {key: collected(totals[key], scaling) for key in keys if scaling and not
                totals[key].has(*UNROUNDED, *NOT_POLYNOMIAL)}
    changed = [key for key, value in gathered.items() if value != totals[key]]
    if changed:
        out += ["", f"in powers of {', '.join(map(str, scaling))}:"]
        out += [f"  {key.ljust(width)} = {gathered[key]}" for key in changed]
    return out
