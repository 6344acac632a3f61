"""CSV: one line per row of the analysis (every layer instance), then the totals and conventions as comments.

Numbers are plain integers (no grouping) and symbolic values are expressions, so that a
spreadsheet or ``pandas.read_csv(..., comment="#")`` reads them as they are. The totals are
a ``#`` line, not a row: a row with no index, count or output would make pandas read those
columns as floats.
"""

from __future__ import annotations

import csv
import io

from .. import arith
from ..constants import conventions
from .report import Report

HEADER = ("index", "layer", "kind", "count", "output_h", "output_w", "output_c",
          "weights", "biases", "params", "buffers", "macs", "activations")
KEYS = ("weights", "biases", "params", "buffers", "macs", "activations")


def _value(value: object) -> int | str:
    value = arith.norm(value)
    return value if type(value) is int else arith.text(value)


class CsvFormatter:
    """The rows as CSV; ``count`` is how many times a row counts (a symbolic repeat ``x{n}``).

    >>> import symcnn
    >>> print(symcnn.parse("input 8x8x3\\nconv3-4, relu").analyze().to_csv()[:388])
    index,layer,kind,count,output_h,output_w,output_c,weights,biases,params,buffers,macs,activations
    0,input,input,1,8,8,3,0,0,0,0,0,192
    1,conv3-4,conv,1,8,8,4,108,4,112,0,6912,256
    2,relu,relu,1,8,8,4,0,0,0,0,0,0
    # totals: weights=108; biases=4; params=112; buffers=0; macs=6912; activations=448; flops=13824; param_bytes=448; activation_bytes=1792 (fp32)
    # MACs: multiply-accumulates of conv
    """

    name = "csv"

    def render(self, report: Report) -> str:
        analysis = report.analysis
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for row in analysis.rows:
            writer.writerow([row.index, row.name, row.kind, _value(row.count), *(_value(d) for d in row.output),
                             *(_value(getattr(row, key)) for key in KEYS)])
        totals = analysis.totals
        shown = "; ".join(f"{key}={_value(totals[key])}" for key in (*KEYS, "flops", "param_bytes", "activation_bytes"))
        notes = [f"totals: {shown} ({analysis.dtype})"]
        notes += [f"warning: {text}" for text in analysis.warnings]
        return out.getvalue() + "\n".join(f"# {text}" for text in notes + conventions(analysis.dtype))
