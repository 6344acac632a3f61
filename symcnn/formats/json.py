"""One JSON object: input, layers, totals, formulas and conventions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sympy import Expr

from ..analysis import DTYPE_BYTES, TOTAL_KEYS, Analysis
from ..conventions import lines

if TYPE_CHECKING:
    from ..memory import Memory


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
        "batch": value(analysis.batch_size),
    }


def memory_dict(m: Memory) -> dict[str, Any]:
    """The ``memory`` object: settings, bytes (and formulas) of each part, live and saved bytes per row.

    >>> import symcnn
    >>> from symcnn.memory import memory
    >>> memory_dict(memory(symcnn.parse("input 8x8x3\\nconv3-4").analyze(batch=2), "sgd"))["training_bytes"]
    2432
    """
    saved = m.saved_by_row()
    return {
        "optimizer": m.optimizer,
        "amp": m.amp,
        "device": m.device,
        **{key: value(v) for key, v in m.totals().items()},
        "formulas": {key: str(v) for key, v in m.formulas().items()},
        "layers": [{"index": i, "live_bytes": value(live), "saved_bytes": value(saved[i])}
                   for i, live in m.live.items()],
        "saved": [{"row": s.row, "what": s.what, "elements": value(s.elements), "bytes_per_element": s.itemsize,
                   "count": value(s.times)} for s in m.saved],
    }


def render(analysis: Analysis, memory: Memory | None = None) -> str:
    data = to_dict(analysis)
    if memory is not None:
        data["memory"] = memory_dict(memory)
    return json.dumps(data, indent=2)
