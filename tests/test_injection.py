"""User text is parsed by our grammar, never run as Python."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symcnn

PACKAGE = Path(symcnn.__file__).resolve().parent


@pytest.mark.parametrize("text", [
    "conv3-{__import__('os').system('id')}",
    "conv3-{eval('1')}",
    "conv3-{exec('1')}",
    "conv3-{lambda: 0}",
    "Symbol('x')",
    "conv3-{Symbol('x')}",
    "fc-{().__class__}",
    "conv3-64[s=__import__('os')]",
    "def f(a) = conv1-{a}\nf(__import__('os'))",
    "conv3-{1 if 1 else 2}",
    "conv3-{[1][0]}",
])
def test_python_in_expression_slots_is_a_syntax_error(text: str) -> None:
    with pytest.raises(symcnn.SymcnnError) as caught:
        symcnn.parse(text)
    assert caught.value.kind == "syntax error"


def test_the_package_never_evaluates_text() -> None:
    forbidden = re.compile(r"\b(sympify|parse_expr|eval|exec)\b|\bS\s*\(\s*['\"]")
    for source in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            assert not forbidden.search(line), f"{source.name}:{number}: {line.strip()}"
