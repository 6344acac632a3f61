"""Build the playground: a folder any static host serves, from pinned packages, nothing fetched at run time.

Pyodide and KaTeX come from the npm registry (``npm pack``), SymPy, mpmath and lark from PyPI
(``pip download``), each checked against its SHA-256; symcnn is this installation's own package.
Node.js runs Pyodide once to byte-compile the Python for Pyodide's interpreter
(:file:`compile.mjs`) into two zips: ``core`` (symcnn and lark: the numbers) and ``sympy``
(SymPy and mpmath: fetched once formulas are shown).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SymcnnError
from ..resources import data_dir
from . import page

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent


@dataclass(frozen=True)
class Pin:
    """A package at one version, with the SHA-256 of the file it comes in."""

    name: str
    version: str
    sha256: str
    file: str


PYODIDE = Pin("pyodide", "314.0.8", "9a52704e0ae5b07aaacb8e4fed9f1658e8024694a078695ea45ac79dee4cefcb",
              "pyodide-314.0.8.tgz")
KATEX = Pin("katex", "0.16.22", "e9e0d167db3175481cbadaff38e8d90b130f6a3ddb451a47e43c577fd511f365",
            "katex-0.16.22.tgz")
WHEELS = {
    "lark": Pin("lark", "1.3.1", "c629b661023a014c37da873b4ff58a817398d12635d3bbb2c5a03be7fe5d1e12",
                "lark-1.3.1-py3-none-any.whl"),
    "sympy": Pin("sympy", "1.14.0", "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5",
                 "sympy-1.14.0-py3-none-any.whl"),
    "mpmath": Pin("mpmath", "1.3.0", "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c",
                  "mpmath-1.3.0-py3-none-any.whl"),
}
BUNDLES = {"core": ("lark", "symcnn"), "sympy": ("sympy", "mpmath")}
"""Each zip the page unpacks, and what it holds: the core first (numbers), SymPy when formulas are shown."""
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
STATIC = ("index.html", "app.js", "worker.js", "style.css")


def cache_dir() -> Path:
    """Where ``symcnn serve`` keeps its build and the downloads: ``$XDG_CACHE_HOME/symcnn`` or ``~/.cache/symcnn``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "symcnn"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(command: list[str], cwd: Path | None = None) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SymcnnError(f"building the playground needs {command[0]}, which is not installed",
                          hint="install Node.js with npm (Debian: apt-get install nodejs npm)") from None
    if done.returncode != 0:
        raise SymcnnError(f"{' '.join(command[:3])} ... failed: {(done.stderr or done.stdout).strip()[-800:]}")


def fetched(pin: Pin, downloads: Path) -> Path:
    """The pinned file, downloaded once into ``downloads`` and checked against its SHA-256."""
    path = downloads / pin.file
    if not path.exists() or _digest(path) != pin.sha256:
        downloads.mkdir(parents=True, exist_ok=True)
        if pin.file.endswith(".tgz"):
            _run(["npm", "pack", f"{pin.name}@{pin.version}", "--pack-destination", str(downloads), "--silent"])
        else:
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest",
                  str(downloads), f"{pin.name}=={pin.version}"])
    found = _digest(path) if path.exists() else "nothing"
    if found != pin.sha256:
        raise SymcnnError(f"{pin.file} has SHA-256 {found}, not the pinned {pin.sha256}")
    return path


def _unpack(tgz: Path, members: Callable[[str], str | None], out: Path) -> None:
    """The files of an npm tarball that ``members`` maps to a path under ``out`` (None: left out)."""
    with tarfile.open(tgz) as archive:
        for member in archive.getmembers():
            target = members(member.name.removeprefix("package/")) if member.isfile() else None
            if target is not None:
                (out / target).parent.mkdir(parents=True, exist_ok=True)
                (out / target).write_bytes(archive.extractfile(member).read())  # type: ignore[union-attr]


def _katex_file(name: str) -> str | None:
    if name in ("dist/katex.min.js", "dist/katex.min.css"):
        return name.removeprefix("dist/")
    # the stylesheet lists woff2 first, which every browser that runs Pyodide takes
    if name.startswith("dist/fonts/") and name.endswith(".woff2"):
        return name.removeprefix("dist/")
    return None


def _symcnn_files() -> list[tuple[Path, str]]:
    """symcnn's files as its wheel has them (the grammar and the models inside the package), without the site."""
    found = [(path, str(path.relative_to(PACKAGE.parent))) for path in sorted(PACKAGE.rglob("*"))
             if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
             and HERE / "static" not in path.parents and path.suffix != ".mjs"]
    for name in ("grammar", "examples"):
        folder = data_dir(name)
        if PACKAGE not in folder.parents:
            found += [(path, f"symcnn/{name}/{path.relative_to(folder)}") for path in sorted(folder.rglob("*"))
                      if path.is_file() and "__pycache__" not in path.parts]
    return found


def stamp() -> str:
    """A digest of everything a build is made of: the pins, the page's files and symcnn's own files."""
    digest = hashlib.sha256(repr((PYODIDE, KATEX, sorted(WHEELS.items()))).encode())
    for path, name in [(HERE / "static" / f, f) for f in STATIC] + [(HERE / "compile.mjs", "compile.mjs")] + \
            _symcnn_files():
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def current(out: Path) -> bool:
    """Whether ``out`` holds a build of exactly this symcnn and these pins."""
    try:
        return json.loads((out / "build.json").read_text())["stamp"] == stamp()
    except (OSError, ValueError, KeyError):
        return False


def build(out: Path, downloads: Path | None = None) -> dict[str, Any]:
    """Write the site into ``out`` (replacing what is there); returns what ``build.json`` records.

    ``downloads`` keeps the pinned packages between builds (default: :func:`cache_dir`/downloads).
    """
    if out.exists() and any(out.iterdir()) and not (out / "build.json").exists():
        raise SymcnnError(f"{out} is not empty and holds no playground build: it would be replaced",
                          hint="give --out a new or empty folder")
    downloads = downloads or cache_dir() / "downloads"
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "site"
        _unpack(fetched(PYODIDE, downloads), lambda n: f"pyodide/{n}" if n in PYODIDE_FILES else None, work)
        _unpack(fetched(KATEX, downloads), lambda n: (f"katex/{found}" if (found := _katex_file(n)) else None),
                work)
        own = Path(scratch) / "symcnn.zip"
        with zipfile.ZipFile(own, "w") as archive:
            for path, name in _symcnn_files():
                archive.write(path, name)
        archives = {name: fetched(pin, downloads) for name, pin in WHEELS.items()} | {"symcnn": own}
        (work / "python").mkdir()
        _run(["node", str(HERE / "compile.mjs"), str(work / "pyodide"), str(work / "python"),
              *(f"{bundle}={','.join(str(archives[p]) for p in parts)}" for bundle, parts in BUNDLES.items())])
        for name in STATIC:
            shutil.copyfile(HERE / "static" / name, work / name)
        (work / ".nojekyll").write_text("")  # GitHub Pages: serve the folder as it is
        (work / "models.json").write_text(json.dumps(page.models()), encoding="utf-8")
        record = {"stamp": stamp(), "pyodide": PYODIDE.version, "katex": KATEX.version,
                  "wheels": {name: pin.version for name, pin in WHEELS.items()}, "python": "core.zip, sympy.zip",
                  "bytes": {str(p.relative_to(work)): p.stat().st_size for p in sorted(work.rglob("*")) if p.is_file()}}
        (work / "build.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(work, out)
    return record
