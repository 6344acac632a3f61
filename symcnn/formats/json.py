"""One JSON object: input, values, layers, totals, side outputs, conventions (and formulas on request)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from .. import arith
from ..constants import TOTAL_KEYS, conventions
from .report import Report


def value(v: Any) -> int | str:
    """An int when the value is a number, else the expression as a string (SymPy's syntax)."""
    v = arith.norm(v)
    return v if type(v) is int else str(v)


def given(v: Any) -> int | float | str:
    """A value the user gave: an int; a decimal such as 0.75 as a JSON number (its text is exact); else "1/3".

    >>> from fractions import Fraction
    >>> given(1000), given(Fraction(3, 4)), given(Fraction(1, 10)), given(Fraction(1, 3))
    (1000, 0.75, 0.1, '1/3')
    """
    v = arith.norm(v)
    if type(v) is int:
        return v
    if isinstance(v, Fraction):
        decimal = arith.decimal(v)
        # A decimal of at most 15 significant digits comes back from a float as the same text.
        if "/" not in decimal and len(decimal.replace("-", "").replace(".", "").lstrip("0")) <= 15:
            return float(decimal)
    return str(v)


def to_dict(report: Report) -> dict[str, Any]:
    """The analysis as plain JSON-ready data; ``formulas`` when the report asks for them or names are left.

    >>> import symcnn
    >>> symcnn.parse("input 8x8x3\\nconv3-4").analyze().to_dict()["totals"]["params"]
    112
    """
    analysis = report.analysis
    layers = [
        {
            "index": row.index,
            "name": row.name,
            "kind": row.kind,
            "output": [value(d) for d in row.output],
            "weights": value(row.weights),
            "biases": value(row.biases),
            "params": value(row.params),
            "buffers": value(row.buffers),
            "macs": value(row.macs),
            "activations": value(row.activations),
            "count": value(row.count),
            **({"side": True} if row.side else {}),
        }
        for row in analysis.rows
    ]
    data: dict[str, Any] = {
        "input": dict(zip("HWC", (value(d) for d in analysis.input))),
        "values": {name: given(v) for name, v in analysis.values.items()},
        "dtype": analysis.dtype,
        "divisible": analysis.divisible,
        "layers": layers,
        "totals": {key: value(analysis.totals[key]) for key in TOTAL_KEYS},
    }
    side = analysis.side_totals
    if side is not None:
        data["side_outputs"] = {key: value(side[key]) for key in TOTAL_KEYS}
    if report.formulas or not analysis.is_numeric:
        data["formulas"] = {key: str(analysis.formulas[key]) for key in TOTAL_KEYS}
    if analysis.warnings:
        data["warnings"] = analysis.warnings
    data["conventions"] = conventions(analysis.dtype)
    data["batch"] = value(analysis.batch_size)
    if report.memory is not None:
        data["memory"] = memory_dict(report)
    return data


def memory_dict(report: Report) -> dict[str, Any]:
    """The ``memory`` object: settings, bytes (and formulas) of each part, live and saved bytes per row.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> a = symcnn.parse("input 8x8x3\\nconv3-4").analyze(batch=2)
    >>> memory_dict(Report(a, memory(a, "sgd")))["training_bytes"]
    2432
    """
    m = report.memory
    assert m is not None
    saved = m.saved_by_row()
    data: dict[str, Any] = {
        "optimizer": m.optimizer,
        "amp": m.amp,
        "device": m.device,
        **{key: value(v) for key, v in m.totals().items()},
    }
    if report.formulas or not report.analysis.is_numeric:
        data["formulas"] = {key: str(v) for key, v in m.formulas().items()}
    data["layers"] = [{"index": i, "live_bytes": value(live), "saved_bytes": value(saved[i])}
                      for i, live in m.live.items()]
    data["saved"] = [{"row": s.row, "what": s.what, "elements": value(s.elements), "bytes_per_element": s.itemsize,
                      "count": value(s.times)} for s in m.saved]
    return data


class JsonFormatter:
    name = "json"

    def render(self, report: Report) -> str:
        return json.dumps(to_dict(report), indent=2)
