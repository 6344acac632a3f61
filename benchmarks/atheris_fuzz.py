"""Coverage-guided fuzzing of the notation with atheris (libFuzzer for Python).

Each input is read as UTF-8 (undecodable bytes replaced, so arbitrary bytes still reach
the parser), then parsed and analysed symbolically and at 8x8x3, and the result or our
error rendered as text. Anything but a result or SymcnnError is a crash; an input that
takes longer than ``-timeout`` seconds is reported as a hang. Run it for a bounded time::

    pip install atheris
    python benchmarks/atheris_fuzz.py -max_total_time=600 -timeout=10 -rss_limit_mb=4096

It starts from the built-in models and a dictionary of the notation's words, written to a
temporary folder; libFuzzer's own flags follow the script's name.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris
import lark  # noqa: F401 - imported before instrumenting: coverage of symcnn's own code guides the search
import sympy  # noqa: F401

with atheris.instrument_imports(include=["symcnn"]):
    import symcnn
    from symcnn import zoo

WORDS = ["conv", "dwconv", "deconv", "fc", "pool", "avgpool", "apool", "upsample", "bn", "lrn", "relu", "gap", "gmp",
         "sigmoid", "flatten", "dropout", "id", "res(", "concat(", "mul(", "def ", "input ", " x", "x{n}", "{", "}",
         "(", ")", "[", "]", "|", ",", "\n", "-", "/", "//", "^", "=", "p=", "s=", "g=", "d=", "bias=false",
         "ceil=true", "floor(", "ceil(", "min(", "max(", "#", "H", "W", "C", "K"]


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        analysis = symcnn.parse(text).analyze()
        analysis.totals
        names = {name: 2 for name in analysis.network.symbols if name not in ("H", "W", "C")}
        analysis.at("8x8x3", **names).to_text()
    except symcnn.SymcnnError as error:
        str(error)


def _escaped(word: str) -> str:
    """A word as libFuzzer's dictionary writes it: printable ASCII as itself, other bytes as \\xNN."""
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\x{b:02X}" for b in word.encode())


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="symcnn-atheris-"))
    corpus = folder / "corpus"
    corpus.mkdir()
    for name in zoo.names():
        (corpus / f"{name}.cnn").write_text(zoo.source(name))
    dictionary = folder / "notation.dict"
    dictionary.write_text("".join(f'"{_escaped(word)}"\n' for word in WORDS))
    atheris.Setup([sys.argv[0], f"-dict={dictionary}", *sys.argv[1:], str(corpus)], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
