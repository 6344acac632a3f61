"""The totals as closed forms in the network's names, and as polynomials where divisibility allows."""

from __future__ import annotations

from .. import arith, growth
from ..constants import TOTAL_KEYS
from .report import Report


def _names(report: Report) -> str:
    """The names the formulas are in: the network's, the batch's, and any the user scaled by."""
    analysis = report.analysis
    found = sorted(analysis.symbolic.unbound)
    return ", ".join(found) if found else "no names (the network's sizes are all numbers)"


class FormulaFormatter:
    """Each total as an exact formula; then, if floors appear, the polynomial under a stated divisibility.

    With memory, each memory figure follows as a closed form (and at the given values).
    """

    name = "formula"

    def render(self, report: Report) -> str:
        analysis = report.analysis
        totals = analysis.formulas
        width = max(map(len, TOTAL_KEYS))
        out = [f"exact totals in {_names(report)}:"] + [f"  {k.ljust(width)} = {totals[k]!s}"
                                                       for k in TOTAL_KEYS]
        shown = totals
        spatial = [s for s in analysis.symbolic.input[:2] if getattr(s, "is_Symbol", False)]
        cleared = growth.without_floors(totals, list(dict.fromkeys(spatial)))
        if cleared is not None:
            d, polynomials = cleared
            shown = polynomials
            dims = list(dict.fromkeys(str(s) for s in spatial))
            multiples = "are multiples" if len(dims) > 1 else "is a multiple"
            out += ["", f"when {' and '.join(dims)} {multiples} of {d}:"]
            out += [f"  {k.ljust(width)} = {polynomials[k]!s}" for k in TOTAL_KEYS]
        if analysis.evaluated:
            out += ["", "at the given values:"] + [f"  {k.ljust(width)} = {analysis.totals[k]!s}"
                                                   for k in TOTAL_KEYS]
            shown = analysis.totals
        inputs = {s for d in analysis.symbolic.input if not arith.numeric(d) for s in d.free_symbols}
        out += growth.lines({k: shown[k] for k in TOTAL_KEYS}, inputs)
        if report.memory is not None:
            out += _memory(report)
        return "\n".join(out)


def _memory(report: Report) -> list[str]:
    """The memory figures in bytes as closed forms, then at the given values.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> a = symcnn.parse("conv3-8").analyze(batch="N")
    >>> print("\\n".join(_memory(Report(a, memory(a, "sgd")))[:3]))
    <BLANKLINE>
    memory in bytes (batch N, sgd, fp32, cuda):
      param_bytes            = 288*C + 32
    """
    m = report.memory
    assert m is not None
    formulas = m.formulas()
    width = max(map(len, formulas))
    out = ["", f"memory in bytes ({m.describe()}):"] + [f"  {k.ljust(width)} = {v}"
                                                       for k, v in formulas.items()]
    if m.analysis.evaluated:
        out += ["", "memory at the given values:"] + [f"  {k.ljust(width)} = {v}"
                                                      for k, v in m.totals().items()]
    return out
