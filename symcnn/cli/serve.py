"""``symcnn serve``: build the playground if needed and serve it on 127.0.0.1 (``--build-only``: just build)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import SymcnnError
from ..web import build, serve
from .common import Parser


def run(argv: list[str]) -> str:
    """Build (when the folder holds no build of this symcnn) and serve until Ctrl-C; the last line it prints."""
    p = Parser(prog="symcnn serve", description="The playground: symcnn in the browser, a static site served on 127.0.0.1. "
               "The first build downloads the pinned Pyodide, KaTeX, SymPy, mpmath and lark (about 15 MB; needs "
               "Node.js with npm) and keeps them for the next.")
    p.add_argument("--out", metavar="DIR", help=f"the site's folder (default {build.cache_dir() / 'site'})")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free port)")
    p.add_argument("--build-only", action="store_true", help="build the site and exit (to publish it, "
                   "e.g. on GitHub Pages)")
    p.add_argument("--rebuild", action="store_true", help="build even when the folder holds a current build")
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        raise SymcnnError(f"--port takes a port number, 0 to 65535, not {args.port}")
    out = Path(args.out) if args.out else build.cache_dir() / "site"
    if args.rebuild or not build.current(out):
        print(f"building the playground into {out} ...", file=sys.stderr, flush=True)
        record = build.build(out)
        print(f"built: {len(record['bytes'])} files, {sum(record['bytes'].values()):,} bytes", file=sys.stderr,
              flush=True)
    if args.build_only:
        return f"the playground is in {out}: serve the folder with any static web server"
    try:
        httpd = serve.server(out, args.port)
    except OSError as error:
        raise SymcnnError(f"cannot serve on 127.0.0.1:{args.port}: {error.strerror or error}",
                          hint="choose another port with --port N (0: any free port)") from None
    with httpd:
        host, port = httpd.server_address[:2]
        print(f"serving the playground at http://{host}:{port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return "stopped"

