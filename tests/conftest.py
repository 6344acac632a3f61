"""Shared test helpers."""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
from types import ModuleType
from typing import Any

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


def own_storages(net: Any) -> set[int]:
    """The storages of a module's parameters and buffers."""
    return {t.untyped_storage().data_ptr() for t in [*net.parameters(), *net.buffers()]}


def saved_storage_bytes(net: Any, x: Any, context: Any = None) -> tuple[int, Any]:
    """Bytes of the distinct storages a training forward pass of ``net`` on ``x`` saves for backward (parameters
    and buffers excluded), and the output; ``context`` (autocast) wraps the pass."""
    import torch

    own = own_storages(net)
    saved: dict[int, int] = {}

    def pack(t: Any) -> Any:
        storage = t.untyped_storage()
        if storage.data_ptr() not in own:
            saved[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), context or contextlib.nullcontext():
        output = net(x)  # the graph holds the saved tensors while the output lives
    return sum(saved.values()), output


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs as a file gets them (every formula in full), whatever COLUMNS the shell running the tests exports."""
    monkeypatch.delenv("COLUMNS", raising=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The browser test's load timings, printed whether it passed or not (CI's log keeps them)."""
    import sys

    web = sys.modules.get("test_web")
    for line in getattr(web, "TIMINGS", []):
        terminalreporter.write_line(line)
