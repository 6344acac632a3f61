"""The vocabulary of a layer's derivation: terms with their LaTeX and their value, steps, titles.

A kind's :meth:`~symcnn.layers.base.Layer.derive` writes each of its costs as
``symbol = general formula = values substituted``; the substituted product evaluates to
the layer's exact cost (the tests check it for every built-in model). How a value is
written as LaTeX is the renderer's: it passes a :class:`Tex`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

CIN, COUT, C = r"C_{\mathrm{in}}", r"C_{\mathrm{out}}", "C"
HOUT, WOUT, HIN, WIN = r"H_{\mathrm{out}}", r"W_{\mathrm{out}}", r"H_{\mathrm{in}}", r"W_{\mathrm{in}}"


class Tex(Protocol):
    """How the renderer writes a value as LaTeX (``grouped``: digits grouped as 1{,}792)."""

    def math(self, value: Any, grouped: bool = True) -> str: ...


@dataclass(frozen=True)
class Term:
    """A piece of a substituted formula: its LaTeX and its value."""

    tex: str
    value: Any


@dataclass(frozen=True)
class Step:
    """One cost of one layer: ``symbol = general = substituted``; ``key`` names the row's result."""

    symbol: str
    general: str
    substituted: Term
    key: str


class Derived(NamedTuple):
    """A layer's derivation: the title of its kind as the derivation introduces it, and its steps."""

    title: str
    steps: tuple[Step, ...]

    @property
    def formulas(self) -> tuple[tuple[str, str], ...]:
        """The general formulas of the kind (what the derivation lists once per kind)."""
        return tuple((s.symbol, s.general) for s in self.steps)


def _simple(value: Any) -> bool:
    if type(value) is int:
        return value >= 0
    name = type(value).__name__
    return bool(getattr(value, "is_Symbol", False)) or name in ("floor", "ceiling")


def value(t: Tex, v: Any) -> Term:
    """A value as a factor: bare when it reads unambiguously next to a \\cdot, else parenthesised."""
    tex = t.math(v, grouped=False)
    simple = _simple(v) or (getattr(v, "is_Mul", False) and all(_simple(f) for f in v.args))
    return Term(tex if simple else rf"\left({tex}\right)", v)


def number(n: int) -> Term:
    return Term(str(n), n)


def product(*terms: Term) -> Term:
    return Term(r"\cdot ".join(t.tex for t in terms), math.prod((t.value for t in terms), start=1))


def plus(a: Term, b: Term, brackets: bool = True) -> Term:
    tex = f"{a.tex} + {b.tex}"
    return Term(f"({tex})" if brackets else tex, a.value + b.value)


def ratio(t: Tex, a: Any, b: Any, value: Any) -> Term:
    """``a/b`` as a factor whose value is ``value`` (a / b, exact)."""
    return Term(f"{_factor(t, a)}/{_factor(t, b)}", value)


def _factor(t: Tex, v: Any) -> str:
    return value(t, v).tex


def kernel(t: Tex, k: tuple[Any, Any]) -> tuple[str, Term]:
    """``k^2`` and its value for a square kernel, ``k_h k_w`` for another."""
    kh, kw = k
    if kh == kw:
        base = t.math(kh, grouped=False)
        base = base if type(kh) is int or getattr(kh, "is_Symbol", False) else rf"\left({base}\right)"
        return "k^2", Term(f"{base}^2", kh * kh)
    return "k_h k_w", product(value(t, kh), value(t, kw))
