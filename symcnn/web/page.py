"""What the playground page asks of symcnn, one JSON request in and one JSON answer out.

The page's worker runs these functions in Pyodide; they run the same in CPython (the tests call
them directly). A request is a *view*, what the page shows::

    {"text": "conv3-64, relu, gap, fc-10", "at": "32x32x3", "set": "K=10, w=1/2", "width": "3/4"}

``numbers`` and ``exports`` never import SymPy (the numeric path), so the first table does not
wait for it; ``formulas`` does. An answer with a problem is ``{"error": {...}}``: the message, the
field it is in (``text``, ``at``, ``set``, ``width``), and where the error has them its line,
column and hint, so the page can put a caret at the place.

>>> import json
>>> answer = json.loads(numbers(json.dumps({"text": "conv3-16, relu", "at": "32x32x3"})))
>>> answer["totals"]["params"], answer["totals"]["macs"]
('448', '442368')
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from .. import catalog, zoo
from ..api import Analysis, public
from ..errors import SymcnnError
from ..network import Network
from ..scaling import scaled
from ..syntax import parse, parse_assignment, parse_dims, parse_value

T = TypeVar("T")
CURVE_POINTS = 64
"""The most points a cost curve evaluates (each one is a whole analysis at numbers)."""


class _Problem(Exception):
    """A SymcnnError with the field of the page it came from."""

    def __init__(self, error: SymcnnError, field: str) -> None:
        super().__init__(str(error))
        self.error, self.field = error, field


def _in(field: str, step: Callable[[], T]) -> T:
    try:
        return step()
    except SymcnnError as error:
        raise _Problem(error, field) from None


@dataclass(frozen=True)
class View:
    """The page's inputs: the notation, the input size, the ``--set`` values and the width multiplier."""

    text: str
    at: str = ""
    set: str = ""
    width: str = ""

    @classmethod
    def of(cls, request: str) -> View:
        data = json.loads(request)
        return cls(**{key: str(data.get(key) or "") for key in ("text", "at", "set", "width")})

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        start = 0
        for part in self.set.split(","):
            item = part.strip()
            column = start + len(part) - len(part.lstrip())
            start += len(part) + 1
            if item:
                name, value = _in("set", functools.partial(_placed, parse_assignment, item, self.set, column))
                if name in found:
                    raise _Problem(SymcnnError(f"{name} is given twice", hint=f"give {name} one value"), "set")
                found[name] = value
        return found

    def network(self, width: str | None = None) -> Network:
        network = _in("text", lambda: parse(self.text))
        field = self.width if width is None else width
        factor = field.strip()
        if factor:
            network = _in("width", lambda: _placed(lambda f: scaled(network, f), factor, field,
                                                   len(field) - len(field.lstrip())))
        return network

    def analysis(self, at: str | None = None, width: str | None = None) -> Analysis:
        """The analysis at the view's numbers (``at``, ``width``: another point, for a curve)."""
        size = (self.at if at is None else at).strip()
        values = self.values()
        analysis = _analyzed(self.text, self.width if width is None else width)
        if size:
            field = self.at if at is None else size
            _in("at", lambda: _placed(parse_dims, size, field, len(field) - len(field.lstrip())))
        if size or values:
            try:
                analysis = analysis.at(size or None, **values)
            except SymcnnError as error:
                # A layer the size or a value breaks is marked in the editor; else the field that gave it.
                raise _Problem(error, "text" if error.text == self.text else "set" if values else "at") from None
        return analysis


@functools.lru_cache(maxsize=8)
def _analyzed(text: str, width: str) -> Analysis:
    """The network analysed with names left, once for all the points of a curve and for the numbers and the
    exports of one view (each only evaluates it at numbers; an error is not kept, so each point reports it)."""
    network = View(text).network(width)
    return _in("text", lambda: public(network).analyze())


def _placed(read: Callable[[str], T], item: str, field: str, column: int) -> T:
    """``read(item)``, with an error's column moved to where the item is in the whole field."""
    try:
        return read(item)
    except SymcnnError as error:
        if error.column is None:
            raise
        raise dataclasses.replace(error, text=field.replace("\n", " "), line=1, column=error.column + column) from None


def _error(problem: _Problem) -> dict[str, Any]:
    error = problem.error
    where = error.line is not None and error.column is not None and error.text is not None
    return {"message": error.message, "kind": error.kind, "field": problem.field, "hint": error.hint,
            "line": error.line if where else None, "column": error.column if where else None,
            "shown": str(error)}


def _answer(work: Callable[[View], dict[str, Any]]) -> Callable[[str], str]:
    @functools.wraps(work)
    def run(request: str) -> str:
        try:
            return json.dumps(_exact(work(View.of(request))))
        except _Problem as problem:
            return json.dumps({"error": _error(problem)})

    return run


def _exact(data: Any) -> Any:
    """Every count as a string of digits: JSON numbers are floats in JavaScript, exact only up to 2^53."""
    if isinstance(data, dict):
        return {key: _exact(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_exact(value) for value in data]
    return str(data) if isinstance(data, int) and not isinstance(data, bool) else data


def _numeric(analysis: Analysis, required: bool) -> Analysis:
    """Numbers were asked for (an input size given, or a curve): a name left without a value is an error, never
    a formula in a table of numbers."""
    left = analysis.unbound
    if left and required:
        names = ", ".join(left)
        raise _Problem(SymcnnError(f"{names} {'has' if len(left) == 1 else 'have'} no value: the numbers would still "
                                   "be formulas", hint=f"give {'it' if len(left) == 1 else 'them'} a value under "
                                   f"Values, for example {left[0]}=10"), "set")
    return analysis


@_answer
def numbers(view: View) -> dict[str, Any]:
    """The per-layer rows, totals and conventions at the view's numbers (SymPy only where names are left)."""
    data = _numeric(view.analysis(), bool(view.at.strip())).to_dict()
    return {key: data[key] for key in ("input", "values", "layers", "totals", "conventions")}


@_answer
def exports(view: View) -> dict[str, Any]:
    """What the copy buttons copy and the download saves: LaTeX, Markdown, CSV and JSON of the view.

    >>> import json
    >>> json.loads(exports(json.dumps({"text": "conv3-16", "at": "32x32x3"})))["csv"].splitlines()[0]
    'index,layer,kind,count,output_h,output_w,output_c,weights,biases,params,buffers,macs,activations'
    """
    analysis = _numeric(view.analysis(), bool(view.at.strip()))
    return {"latex": analysis.to_latex(), "markdown": analysis.to_markdown(), "csv": analysis.to_csv(),
            "json": analysis.to_json()}


@_answer
def formulas(view: View) -> dict[str, Any]:
    r"""The closed forms of the totals in the input's names (the view's values and width applied) and the
    derivation, both as LaTeX.

    >>> import json
    >>> print(json.loads(formulas(json.dumps({"text": "conv3-16, gap, fc-K", "set": "K=10"})))["summary"])
    $$\begin{aligned}
    \text{Parameters}\quad P &= 144 C + 17 K + 16 = 144 C + 186\\
    \text{MACs}\quad M &= 144 C H W + 16 K = 144 C H W + 160\\
    \text{Activations}\quad A &= C H W + 16 H W + K + 16 = C H W + 16 H W + 26
    \end{aligned}$$
    """
    from ..formats import derivation, tex

    analysis = _in("text", lambda: public(view.network()).analyze())
    values = view.values()
    if values:
        analysis = _in("set", lambda: analysis.at(None, **values))
    return {"summary": derivation.summary(tex.Printer(), analysis),
            "derivation": analysis.to_latex(table=False, derive=True),
            "names": sorted(analysis.unbound)}


def _points(lo: Fraction, hi: Fraction, count: int, integer: bool) -> list[Fraction]:
    """``lo``, ``lo + step``, ... up to ``hi`` (and ``hi``): the step the smallest power of two that keeps to
    ``count`` points, a whole number for the resolution, so that round values (224, 1/2) are on the curve.

    >>> [str(x) for x in _points(Fraction(1, 4), Fraction(2), 48, False)][:4], len(_points(Fraction(32), Fraction(512), 48, True))
    (['1/4', '5/16', '3/8', '7/16'], 31)
    """
    if hi <= lo or count < 2:
        return [lo]
    step = Fraction(1) if integer else Fraction(1, 2**10)
    while (hi - lo) / step + 1 > count:
        step *= 2
    found = [lo + i * step for i in range(int((hi - lo) / step) + 1)]
    return found if found[-1] == hi else found + [hi]


def _text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def curve(request: str) -> str:
    """The totals at evenly spaced points (:func:`_points`) of the resolution (``R x R x C``) or the width multiplier, each an
    exact analysis at numbers (no NumPy: the browser has none). The request is a view with ``axis``
    (``resolution`` or ``width``), ``lo``, ``hi``, ``count`` and for the resolution the ``channels`` C (default:
    the view's, or the network's own); a point the network cannot take (an
    input too small, a channel count that is not a whole number) is listed with its reason.

    >>> import json
    >>> request = {"text": "conv3-16, gap, fc-10", "at": "32x32x3", "axis": "resolution", "lo": 8, "hi": 16, "count": 2}
    >>> [(p["x"], p["macs"]) for p in json.loads(curve(json.dumps(request)))["points"]]
    [('8', '27808'), ('16', '110752')]
    """
    data = json.loads(request)
    axis = data.get("axis")
    try:
        view = View.of(request)
        if axis not in ("resolution", "width"):
            raise _Problem(SymcnnError(f"a curve is over the resolution or the width, not {axis!r}"), "axis")
        lo, hi = (_in("axis", lambda k=k: Fraction(parse_value(str(data.get(k)), f"the curve's {k}")))
                  for k in ("lo", "hi"))
        count = data.get("count")
        count = min(CURVE_POINTS, count) if isinstance(count, int) and count > 0 else CURVE_POINTS
        channels = str(data.get("channels") or "").strip() or _channels(view)
        points = []
        for x in _points(lo, hi, count, axis == "resolution"):
            at, width = (f"{_text(x)}x{_text(x)}x{channels}", None) if axis == "resolution" else (None, _text(x))
            try:
                totals = _numeric(view.analysis(at=at, width=width), required=True).totals
                points.append({"x": _text(x), **{k: str(totals[k]) for k in ("params", "macs", "activations")}})
            except _Problem as problem:
                points.append({"x": _text(x), "error": problem.error.message})
        return json.dumps({"axis": axis, "points": points})
    except _Problem as problem:
        return json.dumps({"error": _error(problem)})


def _channels(view: View) -> str:
    if view.at.strip():
        return str(_in("at", lambda: parse_dims(view.at))[2])
    return str(view.network().input[2])


def models() -> dict[str, Any]:
    """The built-in models for the picker: each one's file, input size and ``--set`` values, and the files.

    >>> m = models()
    >>> m["models"]["vgg16"]["file"], m["models"]["vgg16"]["at"], "vgg.cnn" in m["files"]
    ('vgg.cnn', '224x224x3', True)
    """
    found, files = {}, {}
    for name in zoo.names():
        member = catalog.BY_NAME[name]
        file = f"{member.file}.cnn"
        files[file] = zoo.source(name)
        found[name] = {"file": file, "description": member.description, "at": f"{member.size}x{member.size}x"
                       f"{member.channels}", "set": ", ".join(f"{k}={_given(v)}" for k, v in member.values.items())}
    return {"models": found, "files": files}


def _given(value: Any) -> str:
    return _text(value) if isinstance(value, Fraction) else str(value)
