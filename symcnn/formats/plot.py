"""``symcnn sweep --plot``: params and MACs against the swept value, log-log, one line per network.

On log-log axes a total that grows as ``r^2`` is a straight line of slope 2; the legend
gives each network's exponent. Needs matplotlib (``pip install "symcnn[plot]"``).
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..arith import decimal
from ..errors import SymcnnError
from ..growth import growth

if TYPE_CHECKING:
    from ..sweep import Sweep

PANELS = (("params", "parameters"), ("macs", "MACs (multiply-accumulates)"))
AXIS_NAMES = {"w": "width multiplier w", "r": "input resolution r (pixels, r x r)"}


FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", "": "png"}


def plot(sweeps: Sequence[Sweep], path: str) -> str:
    """Draw the sweeps (one swept name, shared by all) to the file ``path`` exactly; returns the format written.

    PNG, SVG or PDF by its suffix; a name without a suffix gets PNG (under that name: no
    suffix is added). A directory, or another suffix, is an error.

    >>> import symcnn, tempfile, pathlib
    >>> from symcnn.scaling import scaled
    >>> from symcnn.sweep import sweep
    >>> vgg = symcnn.analysis.analyze(scaled(symcnn.load("vgg16"), resolution="r"))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "vgg.png"
    >>> plot([sweep(vgg, {"r": [96, 160, 224]}, label="vgg16")], str(out))
    'PNG'
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    target = pathlib.Path(path)
    if target.is_dir():
        raise SymcnnError(f"{path} is a directory; give --plot a file name, such as {target / 'cost.png'}")
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise SymcnnError(f"--plot writes .png, .svg or .pdf files, not {target.suffix}", hint=f"--plot {target.stem}.png")
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import NullLocator
    except ModuleNotFoundError:
        raise SymcnnError("--plot needs matplotlib, which is not installed", hint='pip install "symcnn[plot]"') from None
    name = _swept(sweeps)
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    for axes, (key, title) in zip(figure.subplots(1, 2), PANELS):
        for s in sweeps:
            x = [float(v) for v in s.axes[name]]
            found = growth(s.formulas[key])
            exponent = found.exponents.get(name, 0) if found else None
            law = "" if exponent is None else f"  ($\\propto {name}^{{{exponent}}}$)" if exponent else "  (constant)"
            axes.plot(x, [float(v) for v in s.totals[key].reshape(-1)], marker="o", markersize=3,
                      label=f"{s.label}{law}")
        axes.set_xscale("log")
        ticks = sorted(set(sweeps[0].axes[name]))[::-(-len(sweeps[0].axes[name]) // 6)]
        axes.xaxis.set_minor_locator(NullLocator())
        axes.set_xticks([float(t) for t in ticks], [decimal(t) for t in ticks])
        axes.set_yscale("log")
        axes.set_xlabel(AXIS_NAMES.get(name, name))
        axes.set_ylabel(title)
        axes.set_title(f"{title} against {name}")
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize="small")
    try:
        figure.savefig(target, dpi=120, format=fmt)
    except (OSError, ValueError) as error:
        raise SymcnnError(f"cannot write {path}: {error}") from None
    return fmt.upper()


def _swept(sweeps: Sequence[Sweep]) -> str:
    """The one name the sweeps vary (every other axis holds one value)."""
    varied = {name for s in sweeps for name, values in s.axes.items() if len(values) > 1}
    if len(varied) != 1:
        raise SymcnnError(f"--plot draws against one swept name; these sweeps vary {', '.join(sorted(varied)) or 'none'}",
                          hint="give the other names one value each")
    return varied.pop()
