"""The totals as closed forms in the network's names, and as polynomials where divisibility allows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from .. import growth
from ..analysis import TOTAL_KEYS, Analysis

if TYPE_CHECKING:
    from ..memory import Memory

CANDIDATES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 3, 6, 12, 24, 48, 96, 5, 10, 20, 40, 7, 14, 28)


def without_floors(analysis: Analysis) -> tuple[int, dict[str, sympy.Expr]] | None:
    """The smallest listed D for which H, W multiples of D clear every floor and ceiling, and the totals then.

    >>> import symcnn
    >>> d, totals = without_floors(symcnn.load("vgg16").analyze())
    >>> d, totals["macs"]
    (32, 307904*H*W + 20873216)
    """
    totals = analysis.formulas
    spatial = [s for s in analysis.symbolic.input[:2] if s.is_Symbol]
    rounding = (sympy.floor, sympy.ceiling, sympy.Piecewise)
    if not spatial or not any(t.has(*rounding) for t in totals.values()):
        return None
    for d in CANDIDATES:
        quotients = {s: sympy.Symbol(f"{s}_{d}", positive=True, integer=True) for s in spatial}
        cleared = {k: t.xreplace({s: d * q for s, q in quotients.items()}) for k, t in totals.items()}
        if not any(t.has(*rounding) for t in cleared.values()):
            back = {q: s / d for s, q in quotients.items()}
            return d, {k: sympy.expand(t.xreplace(back)) for k, t in cleared.items()}
    return None


def render(analysis: Analysis, memory: Memory | None = None) -> str:
    """Each total as an exact formula; then, if floors appear, the polynomial under a stated divisibility.

    With ``memory``, each memory figure follows as a closed form (and at the given values).
    """
    totals = analysis.formulas
    width = max(map(len, TOTAL_KEYS))
    names = ", ".join(analysis.network.symbols) or "no names"
    out = [f"exact totals in {names}:"] + [f"  {k.ljust(width)} = {totals[k]}" for k in TOTAL_KEYS]
    shown = totals
    cleared = without_floors(analysis)
    if cleared is not None:
        d, polynomials = cleared
        shown = polynomials
        dims = list(dict.fromkeys(str(s) for s in analysis.symbolic.input[:2] if s.is_Symbol))
        multiples = "are multiples" if len(dims) > 1 else "is a multiple"
        out += ["", f"when {' and '.join(dims)} {multiples} of {d}:"]
        out += [f"  {k.ljust(width)} = {polynomials[k]}" for k in TOTAL_KEYS]
    if analysis.values or analysis.input != analysis.network.input:
        out += ["", "at the given values:"] + [f"  {k.ljust(width)} = {analysis.totals[k]}" for k in TOTAL_KEYS]
        shown = analysis.totals
    inputs = set().union(*(d.free_symbols for d in analysis.symbolic.input))
    out += growth.lines({k: shown[k] for k in TOTAL_KEYS}, inputs)
    if memory is not None:
        out += _memory(memory)
    return "\n".join(out)


def _memory(m: Memory) -> list[str]:
    """The memory figures in bytes as closed forms, then at the given values.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> print("\\n".join(_memory(memory(symcnn.parse("conv3-8").analyze(batch="N"), "sgd"))[:3]))
    <BLANKLINE>
    memory in bytes (batch N, sgd, fp32, cuda):
      param_bytes            = 288*C + 32
    """
    formulas = m.formulas()
    width = max(map(len, formulas))
    out = ["", f"memory in bytes ({m.describe()}):"] + [f"  {k.ljust(width)} = {v}" for k, v in formulas.items()]
    if m.analysis.values or m.analysis.input != m.analysis.network.input:
        out += ["", "memory at the given values:"] + [f"  {k.ljust(width)} = {v}" for k, v in m.totals().items()]
    return out
