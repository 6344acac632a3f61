"""A sweep of 10^6 points from one lambdified total, against the ways it could be done otherwise.

Run: python benchmarks/sweep_bench.py. ResNet-50 with a width w and a resolution r: its MACs
as one formula in w and r, evaluated on a 1000 x 1000 grid. Compared on the same run with
(a) the full ``symcnn.sweep.sweep(exact=False)`` (checks + all nine totals), (b) the exact
``sweep()`` (integer numerators over one denominator, all 10^6 points), (c) the exact path it
replaced (lambdified code on object arrays of Fractions), (d) a plain Python loop over the same
lambdified formula, (e) re-analysing the network at each point, and (f) the text table of all
10^6 points, (g) the whole ``symcnn sweep`` command; (c)-(e) are timed on fewer points and scaled up.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from fractions import Fraction

import numpy
import sympy

import symcnn
from symcnn.scaling import scaled
from symcnn.formats.tables import sweep as sweep_table
from symcnn.sweep import _fractions, _lambdified, sweep

SIDE = 1000


def seconds(work: Callable[[], object], repeat: int = 3) -> float:
    """The best of ``repeat`` wall-clock timings."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    start = time.perf_counter()
    analysis = scaled(symcnn.load("resnet50"), width="w", resolution="r").analyze()
    macs = analysis.totals["macs"]
    w, r = sorted(macs.free_symbols, key=str)[::-1]
    setup = time.perf_counter() - start
    widths = [Fraction(k, 64) for k in range(1, SIDE + 1)]
    sizes = list(range(100, 100 + SIDE))

    function = sympy.lambdify((w, r), macs, modules="numpy")
    mesh_w, mesh_r = numpy.meshgrid(numpy.array(widths, dtype=float), numpy.array(sizes, dtype=float), indexing="ij")
    lambdified = seconds(lambda: function(mesh_w, mesh_r))

    full = seconds(lambda: sweep(analysis, {"w": widths, "r": sizes}, exact=False), repeat=1)

    exact_sweep = sweep(analysis, {"w": widths, "r": sizes})
    exact = seconds(lambda: sweep(analysis, {"w": widths, "r": sizes}), repeat=1)
    few = 100  # the Fraction path on 100 x 100 points, scaled up
    slow = [_lambdified([w, r], total, True) for total in analysis.totals.values()]
    grid_w, grid_r = numpy.meshgrid(_fractions([sympy.Rational(x.numerator, x.denominator) for x in widths[:few]]),
                                    numpy.array(sizes[:few], dtype=object), indexing="ij")
    fractions = seconds(lambda: [f(grid_w, grid_r) for f in slow], repeat=1) * (SIDE / few) ** 2
    table = seconds(lambda: sweep_table([exact_sweep]), repeat=1)

    command = [sys.executable, "-m", "symcnn.cli", "sweep", "resnet50", "--width", "w=1/64:1000/64:1/64",
               "--resolution", "r=100:1099:1"]
    whole = seconds(lambda: subprocess.run(command, stdout=subprocess.DEVNULL, check=True), repeat=3)

    scalar = sympy.lambdify((w, r), macs, modules="math")
    points = [(float(a), float(b)) for a in widths[:100] for b in sizes[:1000]]
    loop = seconds(lambda: [scalar(a, b) for a, b in points], repeat=1) * SIDE**2 / len(points)

    samples = [(widths[i], sizes[i]) for i in range(0, SIDE, SIDE // 100)]
    reanalyse = seconds(lambda: [analysis.at(w=a, r=b) for a, b in samples], repeat=1) * SIDE**2 / len(samples)

    # The float path and the exact path agree wherever float64 holds the integer exactly.
    check = sweep(analysis, {"w": widths[:50], "r": sizes[:50]})
    floats = sweep(analysis, {"w": widths[:50], "r": sizes[:50]}, exact=False)
    assert numpy.array_equal(check.totals["macs"].astype(float), floats.totals["macs"])

    print(f"ResNet-50, MACs(w, r) on a {SIDE} x {SIDE} grid ({SIDE * SIDE:,} points); "
          f"symbolic analysis once: {setup:.2f} s")
    rows = [
        ("lambdified MACs, NumPy float64", lambdified, "measured"),
        ("sweep(exact=False): checks + 9 totals", full, "measured"),
        ("sweep(): exact, integer arrays", exact, "measured"),
        ("the Fraction path it replaced, 9 totals", fractions, f"{few}x{few} points, scaled"),
        ("plain Python loop, same formula", loop, f"{len(points):,} points, scaled"),
        ("re-analysing at each point", reanalyse, f"{len(samples)} points, scaled"),
        ("the text table of the exact sweep", table, "measured"),
        ("the whole command, table to /dev/null", whole, "measured: symcnn sweep resnet50 ..."),
    ]
    for name, value, how in rows:
        print(f"  {name:<40} {value:10.3f} s  {value / lambdified:12,.0f} x  ({how})")


if __name__ == "__main__":
    main()
