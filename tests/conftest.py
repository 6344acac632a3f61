"""Shared test helpers."""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

IN_CI = os.environ.get("CI") == "true"


def require_module(name: str) -> ModuleType:
    """Import a test dependency: in CI a missing one fails the test, elsewhere it skips it."""
    if IN_CI:
        return importlib.import_module(name)
    return pytest.importorskip(name)


def require_program(name: str) -> str:
    """The path of a program the test needs: in CI a missing one fails, elsewhere it skips."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed; .ci/run installs it")
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs as a file gets them (every formula in full), whatever COLUMNS the shell running the tests exports."""
    monkeypatch.delenv("COLUMNS", raising=False)
