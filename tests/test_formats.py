"""Markdown, CSV and HTML: golden files for VGG-16, and the rows adding up to the printed totals."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import symcnn
from symcnn.cli import run
from symcnn.formats.grouped import lines

GOLDEN = Path(__file__).resolve().parent / "golden"
MODELS = ["vgg16", "vgg16_bn", "resnet50", "googlenet", "densenet121", "mobilenet_v2", "squeezenet1_0"]
KEYS = ("weights", "biases", "params", "macs", "activations")


@pytest.mark.parametrize("flag, golden", [("--markdown", "vgg16.md"), ("--csv", "vgg16.csv")])
def test_vgg16_golden(flag: str, golden: str) -> None:
    """Regenerate after a deliberate change: symcnn vgg16 --at 224x224x3 --markdown > tests/golden/vgg16.md (--csv)."""
    assert run(["vgg16", "--at", "224x224x3", flag]) + "\n" == (GOLDEN / golden).read_text(encoding="utf-8")


def _markdown_rows(markdown: str) -> tuple[list[tuple[int, list[int]]], list[int]]:
    """(times, numbers) of each row, and the numbers of the totals row, read back from the printed table."""
    rows, total = [], []
    for line in markdown.splitlines():
        if not line.startswith("| ") or line.startswith("| layer"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        numbers = [int(c.strip("*").replace(",", "")) for c in cells[2:]]
        if cells[0] == "**total**":
            total = numbers
        else:
            times = re.search(r" ×(\d+)$", cells[0])
            rows.append((int(times.group(1)) if times else 1, numbers))
    return rows, total


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("expand", [False, True])
def test_markdown_rows_add_up_to_the_printed_totals(name: str, expand: bool) -> None:
    analysis = symcnn.load(name).analyze().at("224x224x3")
    rows, total = _markdown_rows(analysis.to_markdown(expand))
    assert len(rows) == len(lines(analysis, expand))
    assert [sum(times * numbers[i] for times, numbers in rows) for i in range(5)] == total
    assert total == [int(analysis.totals[key]) for key in KEYS]


@pytest.mark.parametrize("name", MODELS)
def test_csv_rows_add_up_to_the_printed_totals(name: str) -> None:
    analysis = symcnn.load(name).analyze().at("224x224x3")
    text = analysis.to_csv()
    rows = list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#")))))
    assert len(rows) == len(analysis.rows)
    # every data row is whole numbers in index, count and output (the totals are a comment, not a row)
    assert all(r[c].isdigit() for r in rows for c in ("index", "count", "output_h", "output_w", "output_c"))
    line = next(l for l in text.splitlines() if l.startswith("# totals: "))
    total = dict(part.split("=") for part in line.removeprefix("# totals: ").rsplit(" (", 1)[0].split("; "))
    for key in ("weights", "biases", "params", "buffers", "macs", "activations"):
        assert sum(int(r["count"]) * int(r[key]) for r in rows) == int(total[key]) == analysis.totals[key]
    assert "# MACs: multiply-accumulates" in text


def test_csv_keeps_symbolic_values_and_counts() -> None:
    text = symcnn.parse("input HxWx3\nconv3-8, (conv3-8, relu) x{n}, fc-K").analyze().to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[3][:4] == ["2", "conv3-8", "conv", "n"]
    assert rows[1][4:7] == ["H", "W", "3"]
    assert text.splitlines()[6].startswith("# totals: weights=8*H*K*W + 576*n + 216; biases=K + 8*n + 8; ")


def test_markdown_states_input_omissions_and_conventions() -> None:
    out = run(["resnet50", "--at", "224x224x3", "--markdown"])
    assert out.startswith("Per-layer cost at input 224×224×3:")
    assert "| &nbsp;&nbsp;`conv1-256[bias=false]` (shortcut) | 56×56×256 |" in out
    assert "| `add` ×5 | 14×14×1024 |" in out
    assert "Not listed: `relu`, `flatten` (in place, no cost)." in out
    assert "Buffers (BatchNorm running statistics): 53,120." in out
    assert "- params: weights + biases + BatchNorm scale and shift" in out


def test_markdown_symbolic_cells_are_code_spans() -> None:
    out = symcnn.parse("input HxWx3\nconv3-{64*w}, pool2, fc-K").analyze().to_markdown()
    assert "| `pool2` | `floor(H/2)×floor(W/2)×(64*w)` | 0 |" in out
    assert "| `fc-K` | `1×1×K` | `64*K*w*floor(H/2)*floor(W/2)` |" in out
    assert out.startswith("Per-layer cost at input `H×W×3`:")


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack.pop() == tag

    def handle_data(self, data: str) -> None:
        if "td" in self.stack or "th" in self.stack:
            self.rows[-1][-1] += data


def test_html_is_well_formed_and_adds_up() -> None:
    analysis = symcnn.load("resnet50").analyze().at("224x224x3")
    table = _Table()
    table.feed(analysis._repr_html_())
    header, *body, total = table.rows
    assert header[0] == "layer" and len(body) == len(lines(analysis))
    times = [int(m.group(1)) if (m := re.search(r"×(\d+)$", row[0])) else 1 for row in body]
    for i, key in enumerate(KEYS, 2):
        assert sum(t * int(row[i].replace(",", "")) for t, row in zip(times, body)) == int(total[i].replace(",", ""))
        assert int(total[i].replace(",", "")) == analysis.totals[key]
    assert table.stack == []


class _Tags(HTMLParser):
    """Every start tag and all the text of a page, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


HOSTILE_NOTE = '<script>alert("x")</script> <img src=x onerror=alert(1)> & a_b *c* `d` |e|'


def test_html_escapes_what_the_user_wrote() -> None:
    # A note carries text from the user's model (an import's module paths and op names) into the page.
    network = symcnn.parse("input 8x8x3\ndef a_b(n) = conv3-n\na_b(4)")
    html = dataclasses.replace(network, notes=(HOSTILE_NOTE,)).analyze()._repr_html_()
    page = _Tags()
    page.feed(html)
    assert {"script", "img"}.isdisjoint(page.tags) and {"table", "td", "code"} <= set(page.tags)
    assert HOSTILE_NOTE in page.text and "conv3-4" in page.text


def test_jupyter_renders_every_format() -> None:
    analysis = symcnn.load("vgg16").analyze().at("224x224x3")
    assert analysis._repr_markdown_() == analysis.to_markdown()
    page = _Table()
    page.feed(analysis._repr_html_())
    assert page.stack == [] and page.rows[0][0] == "layer" and page.rows[-1][0] == "total"
    assert analysis._repr_latex_().startswith("$$")
