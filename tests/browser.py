"""The browser test's parts, shared with benchmarks/web_load.py: a logging server of the site and Chromium."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from symcnn.web import serve

# Debian's Chromium, no browser download; the flags keep it off the (closed) network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def launch(playwright: Any, chromium: str) -> Any:
    """Headless Chromium at ``chromium`` (``/usr/bin/chromium``), driven by Playwright."""
    return playwright.chromium.launch(executable_path=chromium, args=FLAGS)


class Served:
    """A built site served on 127.0.0.1, logging every file it sent: (wall time asked for, path, bytes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log: list[tuple[float, str, int]] = []
        self.httpd = serve.server(folder, 0)
        self.httpd.finish_request = self._finish  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def _finish(self, request: Any, address: Any) -> None:
        arrived = time.time()
        handled = self.httpd.RequestHandlerClass(request, address, self.httpd)
        path = urlsplit(getattr(handled, "path", "")).path
        if (self.folder / path.lstrip("/")).is_file():
            self.log.append((arrived, path, (self.folder / path.lstrip("/")).stat().st_size))


def load(page: Any, served: Served) -> dict[str, Any]:
    """A loaded page's timings (ms from navigation) and the bytes served before its first numbers and in all."""
    timings = page.evaluate("window.symcnnTimings")
    first = (page.evaluate("performance.timeOrigin") + timings["first numbers"]) / 1000  # the same clock as the log
    before = [(path, size) for at, path, size in served.log if at <= first]
    return {**timings, "files before": [path for path, _ in before], "bytes before": sum(s for _, s in before),
            "bytes": sum(size for _, _, size in served.log)}


def described(found: dict[str, Any]) -> str:
    """One line of a load's figures."""
    return (f"Pyodide ready {found['pyodide']} ms, symcnn imported {found['symcnn']}, first numbers "
            f"{found['first numbers']} ({found['first numbers'] / found['pyodide']:.2f} x Pyodide ready), SymPy "
            f"imported {found['sympy']}, first formulas {found['first formulas']}; {found['bytes before']:,} bytes "
            f"in {len(found['files before'])} files served before the first numbers, {found['bytes']:,} in all")
