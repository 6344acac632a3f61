"""One JSON object: input, layers, totals, formulas and conventions."""

from __future__ import annotations

import json
from typing import Any

from sympy import Expr

from ..analysis import DTYPE_BYTES, TOTAL_KEYS, Analysis
from ..conventions import lines


def value(expr: Expr) -> int | str:
    """An int when the value is a number, else the SymPy expression as a string."""
    return int(expr) if expr.is_Integer else str(expr)


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The analysis as plain JSON-ready data.

    >>> import symcnn
    >>> symcnn.parse("input 8x8x3\\nconv3-4").analyze().to_dict()["totals"]["params"]
    112
    """
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
        }
        for row in analysis.rows
    ]
    return {
        "input": dict(zip("HWC", (value(d) for d in analysis.input))),
        "values": {name: str(v) for name, v in analysis.values.items()},
        "dtype": analysis.dtype,
        "divisible": analysis.divisible,
        "layers": layers,
        "totals": {key: value(analysis.totals[key]) for key in TOTAL_KEYS},
        "formulas": {key: str(analysis.formulas[key]) for key in TOTAL_KEYS},
        "conventions": lines(analysis.dtype, DTYPE_BYTES[analysis.dtype]),
    }


def render(analysis: Analysis) -> str:
    return json.dumps(to_dict(analysis), indent=2)
