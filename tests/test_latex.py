"""LaTeX output: escaping, symbols, the derivation's arithmetic, the table's sums, and real pdflatex runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import sympy

import symcnn
from symcnn.cli import run
from symcnn.formats import derivation, tex
from symcnn.formats.grouped import lines
from symcnn.resources import data_dir
from conftest import require_program

WIDTH = "input HxWx3\nconv3-{64*a}, relu, pool2, (conv3-{128*a}, bn, relu) x2, pool2, gap, fc-10"
HOSTILE_NAME = r"\input{/etc/passwd}\write18{touch pwned} ^^5cinput $x$ 100% #1 ~ _ & {"
HOSTILE = r"""# \input{/etc/passwd} \write18{touch pwned} ^^5cinput{/etc/passwd}
# \end{flushleft}\input{/etc/passwd} $x^2$ 100% & #1 ~ _ | < > "q" `a' [b] {c} \\ \catcode`\^^M=12
# unicode: — é 中 ×
input 32x32x3
def my_block(n) = conv3-n, relu   # \immediate\write18{touch pwned}
my_block(16) x2, fc-10
"""


@pytest.mark.parametrize("user, shown", [
    (r"\input{/etc/passwd}", r"\textbackslash{}input\{/etc/passwd\}"),
    (r"\write18{rm -rf ~}", r"\textbackslash{}write18\{rm -rf \texttt{\char126}\}"),
    ("^^5cinput", r"\texttt{\char94}\texttt{\char94}5cinput"),
    ("$x$ 100% #1 & _", r"\texttt{\char36}x\texttt{\char36} 100\% \#1 \& \_"),
    ("[b] a--b", "{[}b{]} a-{}-b"),
    ("line\nbreak\ttab\x00", "line break tab "),
    ("é — 中", r"\'{e} --- [U+4E2D]"),
])
def test_user_text_is_escaped(user: str, shown: str) -> None:
    assert tex.text(user) == shown


@pytest.mark.parametrize("user", [HOSTILE_NAME, HOSTILE])
@pytest.mark.parametrize("typewriter", [False, True])
def test_escaped_text_has_no_command_of_the_user(user: str, typewriter: bool) -> None:
    out = tex.text(user, typewriter)
    commands = set(re.findall(r"\\([A-Za-z]+)", out))
    assert commands <= {"textbackslash", "textless", "textgreater", "textbar", "texttt", "char", "ldots", "times"}
    assert "\n" not in out and "^" not in out and "%" not in out.replace("\\%", "")
    unescaped_braces = re.sub(r"\\[{}]|\{\}|\{\\char\d+\}|\\texttt\{\\char\d+\}|\{[\[\]`]\}|\\'\{e\}", "", out)
    assert "{" not in unescaped_braces and "}" not in unescaped_braces


@pytest.mark.parametrize("name, latex", [
    ("H", "H"),
    ("alpha", r"\alpha"),
    ("Omega", r"\Omega"),
    ("C_in", r"C_{\mathrm{in}}"),
    ("k2", "k_{2}"),
    ("w_1", "w_{1}"),
    ("width", r"\mathit{width}"),
])
def test_symbols_print_as_a_reader_expects(name: str, latex: str) -> None:
    assert tex.symbol(name) == latex


@pytest.mark.parametrize("item, expected", [
    (r"a=\alpha", ("a", r"\alpha")),
    (r" w = \omega_{\mathrm{w}} ", ("w", r"\omega_{\mathrm{w}}")),
])
def test_symbol_option(item: str, expected: tuple[str, str]) -> None:
    assert tex.symbol_option(item) == expected


@pytest.mark.parametrize("argv, message", [
    (["vgg16", "--latex", "--symbol", "alpha"], "--symbol takes NAME=LATEX"),
    (["vgg16", "--latex", "--symbol", "1a=x"], "--symbol takes NAME=LATEX"),
    (["vgg16", "--latex", "--symbol", "a="], "--symbol takes NAME=LATEX"),
    (["vgg16", "--latex", "--symbol", r"a=\alpha"], "no name 'a' to give a symbol to"),
    (["vgg16", "--latex", "--json"], "do not combine"),
    (["vgg16", "--siunitx"], "apply to --latex"),
])
def test_bad_latex_options(argv: list[str], message: str) -> None:
    with pytest.raises(symcnn.SymcnnError, match=re.escape(message)):
        run(argv)


def test_a_symbol_is_written_as_given_and_names_stay_symbols() -> None:
    out = run([WIDTH, "--at", "224x224x3", "--derive", "--symbol", r"a=\alpha"])
    assert r"221{,}184 \alpha^{2} + 3{,}840 \alpha + 10" in out
    assert not re.search(r"[^A-Za-z\\]a\^\{2\}", out)


ZOO = [name for name in symcnn.zoo.names() if name != "lenet5"]


@pytest.mark.parametrize("name", ZOO)
def test_every_substituted_formula_evaluates_to_the_layer_cost(name: str) -> None:
    analysis = symcnn.load(name).analyze().at("224x224x3")
    printer = tex.Printer()
    checked = 0
    for line in lines(analysis):
        found = derivation.steps(printer, line.layer, line.input, line.row.output) if line.layer else None
        for step in found[1] if found else []:
            assert step.substituted.value == getattr(line.row, step.key), (line.row.name, step.substituted.tex)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("text, symbols", [
    (WIDTH, {"a"}),
    ("input HxWxC\nconv3x5-{8*a}[g=2, bias=false], dwconv3/2[bias=false], deconv4-{4*a}/2[g=4], bn, fc-K[bias=false]",
     {"a", "K"}),
])
def test_substituted_formulas_hold_symbolically(text: str, symbols: set[str]) -> None:
    analysis = symcnn.parse(text).analyze()
    assert {s.name for s in analysis.free_symbols} >= symbols
    printer = tex.Printer()
    for line in lines(analysis):
        found = derivation.steps(printer, line.layer, line.input, line.row.output) if line.layer else None
        for step in found[1] if found else []:
            assert sympy.simplify(step.substituted.value - getattr(line.row, step.key)) == 0


def test_batch_multiplies_the_macs_step() -> None:
    analysis = symcnn.parse("input 8x8x3\nconv3-4").analyze().at(batch=8)
    line = lines(analysis)[1]
    _, (p, m) = derivation.steps(tex.Printer(), line.layer, line.input, line.row.output, analysis.batch_size)
    assert m.general.startswith("N") and m.substituted.value == line.row.macs == 8 * 6912
    assert p.substituted.value == line.row.params == 112


def _table_cells(latex: str) -> list[tuple[sympy.Integer, list[int]]]:
    """(times, [weights, biases, params, macs, activations]) of each body row of a printed table."""
    body = latex.split(r"\midrule")[1]
    rows = []
    for row in body.split(r"\\")[:-1]:
        cells = [c.strip() for c in row.replace(r"\addlinespace[2pt]", "").split("&")]
        times = re.search(r"\$\\times (\d+)\$", cells[0])
        rows.append((int(times.group(1)) if times else 1, [int(c.replace("{,}", "")) for c in cells[2:]]))
    return rows


@pytest.mark.parametrize("name", ["vgg16", "vgg16_bn", "resnet50", "mobilenet_v1", "googlenet"])
@pytest.mark.parametrize("expand", [False, True])
def test_table_rows_add_up_to_the_printed_totals(name: str, expand: bool) -> None:
    latex = symcnn.load(name).analyze().at("224x224x3", **({"a": 1} if name == "mobilenet_v1" else {})).to_latex(
        expand=expand)
    rows = _table_cells(latex)
    total = re.search(r"Total & & (.*) \\\\", latex)
    assert total is not None
    printed = [int(c.strip().replace("{,}", "")) for c in total.group(1).split("&")]
    assert [sum(times * cells[i] for times, cells in rows) for i in range(5)] == printed
    if expand:
        assert all(times == 1 for times, _ in rows)


def test_resnet152_collapses_to_a_float_and_expands_to_a_longtable() -> None:
    analysis = symcnn.load("resnet152").analyze().at("224x224x3")
    collapsed, expanded = analysis.to_latex(), analysis.to_latex(expand=True)
    assert r"\begin{table}" in collapsed and r"\times 35$" in collapsed
    assert r"\begin{longtable}" in expanded and r"\times 35$" not in expanded
    assert expanded.startswith(r"% symcnn: needs \usepackage{booktabs,longtable}")


def test_repr_latex_is_a_display_for_mathjax_and_nbconvert() -> None:
    out = symcnn.load("vgg16").analyze().at("224x224x3")._repr_latex_()
    assert out.startswith("$$\\begin{aligned}") and out.endswith("\\end{aligned}$$")
    assert "= 138{,}357{,}544" in out and r"\left\lfloor{H / 32}\right\rfloor" in out


GOLDEN = Path(__file__).resolve().parent / "golden"


def test_vgg16_latex_golden() -> None:
    """Regenerate after a deliberate change: symcnn vgg16 --at 224x224x3 --latex --derive > tests/golden/vgg16.tex"""
    out = run(["vgg16", "--at", "224x224x3", "--latex", "--derive"])
    assert out + "\n" == (GOLDEN / "vgg16.tex").read_text(encoding="utf-8")


# --- pdflatex ------------------------------------------------------------------------------------------------------

DOCUMENTS: dict[str, list[str]] = {
    "vgg16": ["vgg16", "--at", "224x224x3", "--latex-document"],
    "vgg16_siunitx": ["vgg16", "--at", "224x224x3", "--latex", "--standalone", "--siunitx"],
    "vgg16_symbolic": ["vgg16", "--latex-document"],
    "resnet50": ["resnet50", "--at", "224x224x3", "--latex", "--latex-document"],
    "resnet50_expanded": ["resnet50", "--at", "224x224x3", "--latex", "--latex-document", "--expand"],
    "width": [WIDTH, "--at", "224x224x3", "--set", "a=0.5", "--latex-document", "--symbol", r"a=\alpha"],
    "block": [str(data_dir("examples") / "resnet.cnn"), "--set", "block=basic", "--latex-document"],
    "hostile": [],
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Each document compiled once, in one folder: name -> (pdftotext text with \\f between pages, pdflatex log).

    A document that fails to compile has no text, and its log ends with pdflatex's error.
    """
    pdflatex, pdftotext = require_program("pdflatex"), require_program("pdftotext")
    folder = tmp_path_factory.mktemp("latex")
    sources = {name: run(argv) for name, argv in DOCUMENTS.items() if argv}
    sources["hostile"] = symcnn.parse(HOSTILE).analyze().to_latex(standalone=True, derive=True, name=HOSTILE_NAME)
    out = {}
    for name, source in sources.items():
        (folder / f"{name}.tex").write_text(source, encoding="utf-8")
        done = subprocess.run([pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                               f"{name}.tex"], cwd=folder, capture_output=True, text=True, timeout=120)
        log = (folder / f"{name}.log").read_text(encoding="latin-1")
        if done.returncode != 0:
            out[name] = ("", log)
            continue
        pdf = subprocess.run([pdftotext, "-layout", f"{name}.pdf", "-"], cwd=folder, capture_output=True,
                             text=True, timeout=60, check=True)
        out[name] = (pdf.stdout, log)
    assert not (folder / "pwned").exists()
    return out


@pytest.mark.parametrize("name, shown", [
    ("vgg16", ["138,357,544", "15,470,264,320", "15,262,696", "30,940,528,640", "295,168", "conv3-512 ×3"]),
    ("vgg16_symbolic", ["138,357,544", "305,856HW + 123,633,664", "at input H × W × 3"]),
    ("resnet50", ["25,557,032", "4,089,184,256", "53,120", "conv3-256[bias=false] ×5", "(shortcut)"]),
    ("resnet50_expanded", ["25,557,032", "4,089,184,256", "53,120", "(shortcut)"]),
    ("block", ["block = basic", "21,797,672"]),  # a block given as a value (was an internal error): resnet34
    ("width", ["221,184α", "3,840α", "57,226", "α = 1/2", "conv3-{128*a}"]),
    ("hostile", [r"\input{/etc/passwd}\write18{touch pwned}", r"^^5cinput{/etc/passwd}", r"\catcode`\^^M=12",
                 r"\end{flushleft}\input{/etc/passwd} $x^2$ 100% & #1 ~ _ | < > " + '"q"', "def my_block(n)",
                 "[U+4E2D]", "166,618"]),
])
def test_compiled_pdf_shows_the_numbers(compiled: dict[str, tuple[str, str]], name: str, shown: list[str]) -> None:
    text, _ = compiled[name]
    flat = re.sub(r"[ \t]+", " ", text)
    for item in shown:
        assert item in flat, item


def test_siunitx_document_compiles_with_or_without_siunitx(compiled: dict[str, tuple[str, str]]) -> None:
    text, log = compiled["vgg16_siunitx"]
    assert "138357544" in re.sub(r"[\s,\u2009\u202f]", "", text)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_compiled_document_is_clean(compiled: dict[str, tuple[str, str]], name: str) -> None:
    text, log = compiled[name]
    assert text, log[-3000:]
    assert "Float too large" not in log and "Overfull \\hbox" not in log
    assert "passwd)" not in log and "root:" not in text  # nothing was read from /etc/passwd
    assert "tcrm" not in log and "mktexpk" not in log  # no METAFONT bitmap font needed


def test_collapsed_resnet_table_fits_one_page(compiled: dict[str, tuple[str, str]]) -> None:
    pages = compiled["resnet50"][0].split("\f")
    page = " ".join(next(p for p in pages if "Table 1:" in p).split())
    assert "Total" in page and "counted apart." in page
    assert not re.search(r"\]\s*×\s*\d", compiled["resnet50_expanded"][0])
