"""How a total grows with each name: its leading term and its exponent in each name.

A total is a polynomial in its names once floors are set aside: ``floor(r/32)`` grows as
``r/32``, so the leading term and the exponents are those of the polynomial with each
``floor``/``ceiling`` replaced by its argument. Rounded channel counts (``Piecewise``,
``Max``) are piecewise constant: such a total has no polynomial growth to report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import sympy
from sympy import Expr

from .symbolic import expr

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
    >>> g = growth(vgg.totals["macs"])
    >>> g.leading, g.exponents, g.law()
    (304128*r**2*w**2, {'r': 2, 'w': 2}, 'r^2 w^2')
    """
    total = expr(total)
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
    totals = {key: expr(total) for key, total in totals.items()}
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


CANDIDATES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 3, 6, 12, 24, 48, 96, 5, 10, 20, 40, 7, 14, 28)
"""The divisors tried, in order, where the floors' arguments do not tell the divisor directly."""


def clearing_divisor(totals: list[Expr], names: list[sympy.Symbol]) -> int | None:
    """The smallest d such that, with each of ``names`` a multiple of d, no floor or ceiling is left.

    Each floor's argument is linear in the names (a·H + b): with H = d·h it is a·d·h + b,
    whose floor is a·d·h + floor(b) once a·d is whole. So d is the least common multiple of
    the denominators of the coefficients: read off, not searched. Where an argument is not
    linear (or a Min from a ceil-mode pool is left), the divisors of :data:`CANDIDATES` are tried.

    >>> H = sympy.Symbol("H", positive=True, integer=True)
    >>> clearing_divisor([sympy.floor(H / 32) + sympy.ceiling((H + 1) / 2)], [H])
    32
    """
    totals = [expr(t) for t in totals]
    if not any(t.has(*UNROUNDED, *NOT_POLYNOMIAL) for t in totals):
        return 1
    divisor = 1
    linear = not any(t.has(*NOT_POLYNOMIAL) for t in totals)
    for atom in set().union(*(t.atoms(*UNROUNDED) for t in totals)) if linear else ():
        argument = atom.args[0]
        if argument.free_symbols - set(names) or not argument.is_polynomial(*names) or \
                sympy.Poly(argument, *names).total_degree() > 1:
            linear = False
            break
        poly = sympy.Poly(argument, *names)
        for name in names:
            coefficient = poly.coeff_monomial(name)
            if not coefficient.is_Rational:
                linear = False
            else:
                divisor = math.lcm(divisor, int(coefficient.q))
    if linear:
        return divisor
    for d in CANDIDATES:
        if not any(_cleared(t, names, d).has(*UNROUNDED, *NOT_POLYNOMIAL) for t in totals):
            return d
    return None


def _cleared(total: Expr, names: list[sympy.Symbol], d: int) -> Expr:
    quotients = {s: sympy.Symbol(f"{s}_{d}", positive=True, integer=True) for s in names}
    return total.xreplace({s: d * q for s, q in quotients.items()})


def without_floors(totals: Mapping[str, Expr], names: list[sympy.Symbol]) -> tuple[int, dict[str, Expr]] | None:
    """The smallest d for which ``names`` multiples of d clear every floor and ceiling, and the totals then.

    >>> import symcnn
    >>> a = symcnn.load("vgg16").analyze()
    >>> d, totals = without_floors(a.formulas, list(a.symbolic.input[:2]))
    >>> d, totals["macs"]
    (32, 305856*H*W + 123633664)
    """
    values = {key: expr(value) for key, value in totals.items()}
    if not names or not any(t.has(*UNROUNDED, *NOT_POLYNOMIAL) for t in values.values()):
        return None
    d = clearing_divisor(list(values.values()), names)
    if d is None:
        return None
    atoms = set().union(*(t.atoms(*UNROUNDED) for t in values.values()))
    if not any(t.has(*NOT_POLYNOMIAL) for t in values.values()) and all(_linear(a.args[0], names) for a in atoms):
        # floor(a*H + b) = a*H + floor(b) once a*H is whole (H a multiple of d): each floor is replaced
        # by its value directly, with no floor evaluated again.
        cleared = {atom: _unrounded(atom, names) for atom in atoms}
        return d, {key: sympy.expand(t.xreplace(cleared)) for key, t in values.items()}
    back = {sympy.Symbol(f"{s}_{d}", positive=True, integer=True): s / d for s in names}
    return d, {key: sympy.expand(_cleared(t, names, d).xreplace(back)) for key, t in values.items()}


def _linear(argument: Expr, names: list[sympy.Symbol]) -> bool:
    return not (argument.free_symbols - set(names)) and argument.is_polynomial(*names) and \
        sympy.Poly(argument, *names).total_degree() <= 1


def _unrounded(atom: Expr, names: list[sympy.Symbol]) -> Expr:
    """floor(a*H + b) as a*H + floor(b) (ceiling likewise), for a*H whole."""
    argument = atom.args[0]
    constant = argument.xreplace({name: 0 for name in names})
    return argument - constant + type(atom)(constant)
