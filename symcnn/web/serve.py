"""Serve a built playground on 127.0.0.1 (a static folder: any static host serves it as well)."""

from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path

TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json",
         ".zip": "application/zip", ".woff2": "font/woff2", ".css": "text/css", ".html": "text/html"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = TYPES

    def end_headers(self) -> None:
        # A rebuilt site must not be mixed with a cached old one (the zips and the page change together).
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that closes a connection mid-response (a reload, a closed tab) is not a server error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def server(folder: Path, port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A server of ``folder`` on 127.0.0.1:``port`` (0: any free port), not yet started.

    >>> import tempfile
    >>> with server(Path(tempfile.mkdtemp()), 0) as s:
    ...     s.server_address[0]
    '127.0.0.1'
    """
    handler = functools.partial(_Handler, directory=str(folder))
    return _Server(("127.0.0.1", port), handler)
