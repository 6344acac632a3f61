"""``symcnn solve``: how wide (or how large an input, or how deep) a network can be within a budget.

The totals are exact polynomials in the one free name (floors cleared under a stated
divisibility), so the boundary of the budget is solved in closed form. The answer people
build is the largest value on the name's whole-number lattice (every channel count an
integer, or a multiple of D), found on the exact totals and checked by a direct analysis
there and at the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce

import sympy
from sympy import Expr, Integer, Rational

from . import arith
from .analysis import Analysis
from .constraints import Constraint, parse_constraints
from .errors import SymcnnError
from .growth import NOT_POLYNOMIAL, UNROUNDED, clearing_divisor
from .requirements import requirements
from .symbolic import expr

POSITIVE = sympy.Interval.open(0, sympy.oo)
MAX_STEPS = 10**1000  # a budget of up to ~10^1000 is searched (in about 7,000 exact evaluations at most)


@dataclass(frozen=True)
class Point:
    """A value of the name and the totals a direct analysis gives there."""

    value: Rational
    totals: dict[str, Expr]


@dataclass(frozen=True)
class Solution:
    """The solved budget: the boundary, the largest admissible value, and the largest whole-number configuration.

    ``polynomials`` are the constrained totals as polynomials in ``name`` (exact when
    ``divisible`` is 1, else when ``name`` is a multiple of ``divisible``); None when the
    totals are piecewise (rounded channel counts), and then so is ``admissible``.
    """

    name: sympy.Symbol
    constraints: tuple[Constraint, ...]
    formulas: dict[str, Expr]
    polynomials: dict[str, Expr] | None
    divisible: int
    admissible: sympy.Set | None
    step: Rational
    multiple: int
    best: Point
    next: Point

    @property
    def largest(self) -> Expr | None:
        """The largest admissible value in closed form (the supremum when a bound is strict)."""
        return None if self.admissible is None or self.admissible.is_empty else self.admissible.sup

    def boundaries(self) -> dict[Constraint, list[Expr]]:
        """Where each total meets its bound, in closed form: the positive real roots."""
        if self.polynomials is None:
            return {}
        x = sympy.Symbol(self.name.name, positive=True)  # a real unknown, even where the name is an integer
        return {c: sorted((root for root in sympy.solve(sympy.Eq(self.polynomials[c.total].xreplace({self.name: x}),
                                                                 c.bound), x) if root.is_real),
                          key=lambda root: sympy.N(root))
                for c in self.constraints if self.polynomials[c.total].has(self.name)}

    def render(self) -> str:
        """The solution as ``symcnn solve`` prints it."""
        v, width = self.name, max(len(c.total) for c in self.constraints)
        out = [f"  {key.ljust(width)} = {formula}" for key, formula in self.formulas.items()]
        if self.polynomials is not None and self.polynomials != self.formulas:
            out += [f"when {v} is a multiple of {self.divisible}:"]
            out += [f"  {key.ljust(width)} = {formula}" for key, formula in self.polynomials.items()]
        out.append("")
        for constraint, roots in self.boundaries().items():
            if roots:
                shown = ", ".join(f"{root} ≈ {_decimal(root)}" for root in roots)
                out.append(f"boundary: {constraint.total} = {_bound(constraint)} at {v} = {shown}")
            else:  # the polynomial never reaches the bound for a positive value
                out.append(f"boundary: {constraint.total} = {_bound(constraint)} at no positive {v}")
        if self.admissible is not None and self.admissible.is_empty:
            out.append(f"no admissible {v} for these polynomials")
        elif self.largest is not None:
            strict = "" if self.admissible.contains(self.largest) == sympy.true else " (not attained: the bound is strict)"
            label = f"largest admissible {v}" + ("" if self.divisible == 1 else " by the polynomial")
            out.append(f"{label} = {self.largest}{strict}")
            out.append(f"{' ' * len(label)} ≈ {_decimal(self.largest)}")
        elif self.formulas:
            out.append("no closed form: the totals are piecewise (rounded channel counts); searched exactly")
        else:
            out.append(f"no closed form: the channel counts are rounded, so the totals change in steps with {v} "
                       f"(and, where a block compares channel counts, so may its blocks); each {v} on the grid "
                       "analysed exactly")
        if self.formulas:
            whole = "" if self.multiple == 1 else f" and every scaled channel count a multiple of {self.multiple}"
            out += ["", f"largest {v} with every count a whole number{whole} ({v} a multiple of {self.step}): "
                        f"{v} = {_value(self.best.value)}"]
        else:
            out += ["", f"largest {v} within the budget on the grid {v} = {self.step}, {2 * self.step}, ... "
                        f"(the totals taken to grow with {v}): {v} = {_value(self.best.value)}"]
        out += self._costs(self.best)
        out += [f"next step, {v} = {_value(self.next.value)}, is over the budget:"] + self._costs(self.next)
        return "\n".join(out)

    def _costs(self, point: Point) -> list[str]:
        width = max(len(c.total) for c in self.constraints)
        return [f"  {c.total.ljust(width)} = {arith.number(point.totals[c.total])}"
                f"{'' if c.holds(point.totals[c.total]) else f'  (not {c.op} {_bound(c)})'}"
                for c in self.constraints]


def solve(analysis: Analysis, constraints: str | Sequence[Constraint], multiple: int = 1,
          search: tuple[str, Rational] | None = None) -> Solution:
    """Solve a budget for the one name the constrained totals still have.

    ``multiple``: the whole-number configurations are those where every scaled channel
    count is a multiple of it (8 for MobileNet-style rounding, which changes nothing there).
    ``search`` = (name, step): no closed form; the largest multiple of step within the budget,
    each candidate analysed at its value (for networks that round their own channel counts,
    whose totals, and even whose blocks, change with the rounding).

    >>> import symcnn
    >>> from symcnn.scaling import scaled
    >>> vgg = scaled(symcnn.load("vgg16"), width="w").analyze().at("224x224x3")
    >>> answer = solve(vgg, "params <= 10e6")
    >>> answer.best.value, answer.best.totals["params"], answer.next.value, answer.next.totals["params"]
    (1/4, 9418936, 17/64, 10564732)
    >>> answer.largest
    -21407/1398400 + sqrt(146110359649)/1398400
    """
    # The same bound written twice is one bound (200 copies took 11 s, each solved on its own).
    found = tuple(dict.fromkeys(parse_constraints(constraints) if isinstance(constraints, str) else constraints))
    if search is not None:
        return _search(analysis, found, search)
    formulas = {c.total: expr(analysis.totals[c.total]) for c in found}
    names = sorted(set().union(*(expr(f).free_symbols for f in formulas.values())), key=str)
    if len(names) != 1:
        totals = ", ".join(formulas)
        if not names:
            raise SymcnnError(f"{totals} has no name left to solve for",
                              hint="scale the network: --width w, --resolution r, or leave one of its names free")
        raise SymcnnError(f"{totals} depends on {', '.join(map(str, names))}: solve for one name at a time",
                          hint=f"give the others values, e.g. --set {names[-1]}=1 (or --at for the input size)")
    v = names[0]
    polynomials, divisible = _polynomials(formulas, v)
    admissible = None
    if polynomials is not None:
        sets = [sympy.solve_univariate_inequality(c.relation(polynomials[c.total]), v, relational=False,
                                                  domain=POSITIVE) for c in found]
        admissible = sympy.Intersection(POSITIVE, *sets)
        if not admissible.is_empty and admissible.sup == sympy.oo:
            raise _unbounded(v, found)
    if not any(c.upper and formulas[c.total].has(v) for c in found):
        raise _unbounded(v, found)
    step = _step(analysis, v, multiple)

    def within(m: int) -> bool:
        return all(c.holds(formulas[c.total].xreplace({v: m * step})) for c in found if c.upper)

    start = 1 if admissible is None or admissible.is_empty else _near_floor(admissible.sup / step)
    best = _largest(within, start)
    point, after = _edge(analysis, v, found, step, best)
    return Solution(v, found, formulas, polynomials, divisible, admissible, step, multiple, point, after)


def _search(analysis: Analysis, found: tuple[Constraint, ...], search: tuple[str, Rational]) -> Solution:
    """The largest value on the grid of ``step`` within the budget, each step analysed directly."""
    name, step = search
    v = sympy.Symbol(name)
    if not any(c.upper for c in found):
        raise _unbounded(v, found)

    def within(m: int) -> bool:
        totals = _point(analysis, v, m * step).totals
        return all(c.holds(totals[c.total]) for c in found if c.upper)

    best = _largest(within, max(1, int(1 / step)))
    point, after = _edge(analysis, v, found, step, best)
    return Solution(v, found, {}, None, 1, None, step, 1, point, after)


def _edge(analysis: Analysis, v: sympy.Symbol, found: tuple[Constraint, ...], step: Rational,
          best: int | None) -> tuple[Point, Point]:
    """The points at the largest step within the budget and at the next; an error when there is none."""
    if best is None:
        smallest = _point(analysis, v, step)
        costs = ", ".join(f"{c.total} = {arith.number(smallest.totals[c.total])}" for c in found if c.upper)
        raise SymcnnError(f"no {v} satisfies {' and '.join(map(str, found))}: already at the smallest step, "
                          f"{v} = {step}, {costs}")
    point = _point(analysis, v, best * step)
    failed = [c for c in found if not c.holds(point.totals[c.total])]
    if failed:
        raise SymcnnError(f"no {v} satisfies {' and '.join(map(str, found))}: the upper bounds allow {v} up to "
                          f"{best * step}, where {failed[0].total} = {arith.number(point.totals[failed[0].total])}")
    return point, _point(analysis, v, (best + 1) * step)


def _polynomials(formulas: dict[str, Expr], v: sympy.Symbol) -> tuple[dict[str, Expr] | None, int]:
    """The totals as polynomials in v, and D when that needs v a multiple of D (floors cleared); None if piecewise."""
    formulas = {k: expr(f) for k, f in formulas.items()}
    if any(f.has(*NOT_POLYNOMIAL) for f in formulas.values()):
        return None, 1
    d = clearing_divisor(list(formulas.values()), [v])
    if d is None:
        return None, 1
    q = sympy.Symbol(f"{v}_{d}", positive=True, integer=True)
    return {k: sympy.expand(f.xreplace({v: d * q}).xreplace({q: v / d})) for k, f in formulas.items()}, d


def _step(analysis: Analysis, v: sympy.Symbol, multiple: int) -> Rational:
    """The smallest s > 0 such that at v = s, 2s, 3s, ... every requirement is met."""
    steps = []
    for need in requirements(analysis, multiple):
        value, mod = need.value, need.multiple
        if not value.has(v) or value.has(*UNROUNDED, *NOT_POLYNOMIAL):
            continue  # a floor of whole numbers is whole
        poly = sympy.Poly(value, v) if value.is_polynomial(v) else None
        coefficients = poly.all_coeffs() if poly is not None and poly.degree() == 1 else []
        if not (coefficients and all(c.is_Rational for c in coefficients) and (coefficients[1] / mod).is_integer):
            raise SymcnnError(f"cannot tell which values of {v} make {value} a whole number"
                              f"{'' if mod == 1 else f' multiple of {mod}'}: {v} has no whole-number steps")
        steps.append(Integer(mod) / abs(coefficients[0]))
    if not steps:
        raise SymcnnError(f"{v} sets no count of the network, so it has no whole-number steps to search")
    return reduce(sympy.lcm, steps)


def _near_floor(x: sympy.Expr) -> int:
    """About floor(x), at least 1, for an algebraic x of any size (the search then checks it exactly).

    Evaluated with as many digits as x has, plus 15: SymPy's default precision gives up
    (PrecisionExhausted) on a boundary such as w ~ 10^146 for a budget of 10^300 parameters.
    """
    digits = int(abs(sympy.log(sympy.Max(x, 1), 10).evalf(15))) + 15
    return max(1, int(sympy.Float(x.evalf(digits), digits)))


def _largest(ok: Callable[[int], bool], start: int) -> int | None:
    """The largest m >= 1 with ok(m), where ok is true up to some m and false after; None if ok(1) is false."""
    gap = 1
    if ok(start):
        low = start
        while ok(low + gap):
            low, gap = low + gap, 2 * gap
            if low > MAX_STEPS:
                raise SymcnnError("the budget does not bound the search (more than 10^1000 steps)")
        high = low + gap
    else:
        high = start
        while True:
            low = high - gap
            if low < 1:
                if not ok(1):
                    return None
                low = 1
                break
            if ok(low):
                break
            high, gap = low, 2 * gap
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if ok(middle) else (low, middle)
    return low


def _point(analysis: Analysis, v: sympy.Symbol, value: Rational) -> Point:
    try:
        return Point(value, analysis.at(**{v.name: value}).totals)
    except SymcnnError as error:
        raise SymcnnError(f"at {v} = {value} the network does not work: {error.message}", error.kind,
                          error.text, error.line, error.column, error.hint) from None


def _unbounded(v: sympy.Symbol, found: tuple[Constraint, ...]) -> SymcnnError:
    return SymcnnError(f"{' and '.join(map(str, found))} holds for arbitrarily large {v}: there is no largest {v}",
                       hint="add an upper bound on a total that grows with it, e.g. 'params <= 10e6'")


def _bound(constraint: Constraint) -> str:
    return arith.number(constraint.bound)


def _decimal(value: Expr) -> str:
    return str(sympy.N(value, 15))


def _value(value: Rational) -> str:
    """``17/64 = 0.265625``: exact, then as a decimal (exact when it terminates).

    >>> _value(Rational(17, 64)), _value(Rational(1, 3)), _value(Integer(2))
    ('17/64 = 0.265625', '1/3 ≈ 0.333333333333333', '2')
    """
    if value.is_Integer:
        return str(value)
    shown = arith.decimal(value)
    return f"{value} = {shown}" if shown != str(value) else f"{value} ≈ {_decimal(value)}"
