"""The playground, built from its pinned packages and driven in a real headless Chromium (Debian's, by Playwright).

Every test records each request the page and its worker make and fails on any that leaves the page's
origin. The load timings are printed at the end of the run (and by benchmarks/web_load.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Served, described, launch, load

import symcnn
from conftest import require_module, require_program
from symcnn.web import build, page, serve

HOSTILE = "<img src=x onerror=alert(1)>"
TIMINGS: list[str] = []
"""Lines for the end of the run (tests/conftest.py prints them)."""


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An XDG_CACHE_HOME whose symcnn/downloads the builds share (the pinned packages, fetched once)."""
    return tmp_path_factory.getbasetemp() / "xdg"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> Path:
    require_program("node")
    require_program("npm")
    out = tmp_path_factory.mktemp("web") / "site"
    build.build(out, downloads=cache / "symcnn" / "downloads")
    return out


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[Served]:
    s = Served(site)
    yield s
    s.httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = launch(p, require_program("chromium"))
        yield b
        b.close()


class Page:
    """A fresh page in its own context, recording every request (the worker's too) and every dialog."""

    def __init__(self, browser: Any, served: Served, url: str | None = None, wait: bool = True) -> None:
        self.served = served
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url.rstrip("/"))
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url or served.url)
        if wait:
            self.numbers()

    def numbers(self) -> None:
        """Wait until the worker is idle and the shown numbers are for the view as it is now."""
        self.page.wait_for_function("() => window.symcnnIdle && window.symcnnIdle()", timeout=90_000)

    def type(self, field: str, text: str) -> None:
        self.page.fill(f"#{field}", text)
        self.numbers()

    def total(self, key: str) -> str:
        return self.page.inner_text(f"#total-{key}")

    def off_origin(self) -> list[str]:
        origin = self.served.url.rstrip("/")
        return [u for u in self.requests if not u.startswith((origin + "/", f"blob:{origin}/", "data:"))]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any, served: Served) -> Iterator[Any]:
    opened: list[Page] = []

    def make(url: str | None = None, wait: bool = True) -> Page:
        opened.append(Page(browser, served, url, wait))
        return opened[-1]

    yield make
    for p in opened:
        assert p.off_origin() == [], "requests that left the page's origin"
        assert p.dialogs == [] and p.errors == []
        p.close()


def test_the_build_is_pinned_byte_compiled_and_current(site: Path) -> None:
    record = json.loads((site / "build.json").read_text())
    assert (record["pyodide"], record["katex"], record["wheels"]) == (build.PYODIDE.version, build.KATEX.version,
                                                                      {n: p.version for n, p in build.WHEELS.items()})
    assert build.current(site)
    for bundle, tops in build.BUNDLES.items():
        names = zipfile.ZipFile(site / "python" / f"{bundle}.zip").namelist()
        assert not [n for n in names if n.endswith(".py")] and any(n.endswith(".pyc") for n in names)
        assert {n.split("/")[0] for n in names if "/" in n and not n.split("/")[0].endswith("-info")} == set(tops)
    core = zipfile.ZipFile(site / "python" / "core.zip").namelist()
    assert "symcnn/grammar/symcnn.lark" in core and "symcnn/examples/vgg.cnn" in core
    assert not [n for n in core if n.startswith("symcnn/web/static")]
    assert json.loads((site / "models.json").read_text()) == page.models()


def test_the_page_loads_and_the_numbers_do_not_wait_for_sympy(open_page: Any, served: Served) -> None:
    served.log.clear()
    p = open_page(wait=False)
    p.numbers()
    timings = load(p.page, served)
    assert timings["pyodide"] < timings["symcnn"] < timings["first numbers"] <= timings["sympy fetch"] < \
        timings["sympy"] <= timings["first formulas"]
    assert "/python/sympy.zip" not in timings["files before"] and "/katex/katex.min.js" not in timings["files before"]
    TIMINGS.append("playground load: " + described(timings))
    assert p.total("params") == "1,648,528,424"  # the example: conv3-64 x2, pool2, conv3-128 x2, pool2, fc-4096, fc-K


def test_typing_a_network_shows_its_counts(open_page: Any) -> None:
    p = open_page()
    p.type("at", "32x32x3")
    p.type("set", "")
    p.type("text", "conv3-16, relu, gap, fc-10")
    # by hand: 3*3*3*16 + 16 and 16*10 + 10 params; 27*16 MACs at each of 32*32 positions, 160 for the fc
    assert (p.total("params"), p.total("macs")) == ("618", "442,528")
    rows = p.page.locator("#layers tbody tr")
    assert rows.count() == 5 and rows.nth(1).inner_text().split("\t")[:3] == ["1", "conv3-16", "32×32×16"]
    assert p.page.is_hidden("#error")


def test_without_an_input_size_the_table_holds_formulas(open_page: Any) -> None:
    p = open_page()
    p.type("set", "")
    p.type("text", "conv3-16, gap, fc-10")
    p.type("at", "")  # names left: the worker fetches SymPy for this table, whatever came first
    # by hand: 3*3*C*16 + 16 and 16*10 + 10 params; 9*C*16 MACs at each of H*W positions, 160 for the fc
    assert (p.total("params"), p.total("macs")) == ("144*C + 186", "144*C*H*W + 160")
    assert p.page.inner_text("#where") == "at H×W×C"


def test_picking_vgg16_shows_torchvisions_count(open_page: Any) -> None:
    p = open_page()
    p.page.select_option("#model", "vgg16")
    p.numbers()
    assert p.page.input_value("#at") == "224x224x3"
    assert (p.total("params"), p.total("macs")) == ("138,357,544", "15,470,264,320")
    assert p.page.input_value("#text") == symcnn.zoo.source("vgg16")


@pytest.mark.parametrize(("text", "line", "column"), [
    ("conv3-64, pool2, fc-", 1, 21),
    ("conv3-8, relu\nconv3-16, pool2[s=]", 2, 19),
])
def test_a_syntax_error_shows_its_caret_at_the_place(open_page: Any, text: str, line: int, column: int) -> None:
    p = open_page()
    p.type("set", "")
    p.type("text", text)
    assert p.page.is_visible("#error")
    shown = p.page.inner_text("#error-shown").split("\n")
    assert shown[0].startswith(f"syntax error at line {line}, column {column}:")
    assert shown[1] == "  " + text.split("\n")[line - 1] and shown[2].index("^") == column + 1
    assert any(s.startswith("hint: ") for s in shown)
    offset = sum(len(t) + 1 for t in text.split("\n")[: line - 1]) + column - 1
    assert p.page.get_attribute("#error-mark", "data-offset") == str(offset)
    assert p.page.locator("#totals dd, #layers tbody tr").count() == 0  # no numbers of the view before
    # the mark sits on the text (past its end, on a space)
    assert p.page.evaluate("document.getElementById('backdrop').textContent") == text + " " * (offset == len(text))
    p.type("text", "conv3-8")
    assert p.page.is_hidden("#error") and p.page.locator("#error-mark").count() == 0


def test_the_url_reproduces_the_view(open_page: Any) -> None:
    p = open_page()
    p.page.select_option("#model", "resnet18")
    p.numbers()
    p.type("at", "160x160x3")
    p.type("width", "1/2")
    p.page.select_option("#axis", "width")
    p.numbers()
    shown = {name: p.page.inner_text(name) for name in ("#totals", "#layers", "#where")}
    again = open_page(p.page.url)
    assert {name: again.page.inner_text(name) for name in shown} == shown
    assert again.page.input_value("#model") == "resnet18" and again.page.input_value("#axis") == "width"
    assert again.page.input_value("#text") == symcnn.zoo.source("resnet18")
    expected = symcnn.analysis.analyze(symcnn.scaling.scaled(symcnn.load("resnet18"), "1/2")).at("160x160x3")
    assert again.total("params") == f"{expected.totals['params']:,}"


@pytest.mark.parametrize("field", ["text", "at", "set", "width"])
def test_hostile_text_stays_text(open_page: Any, field: str) -> None:
    p = open_page()
    p.type(field, HOSTILE)
    assert p.page.is_visible("#error") and HOSTILE in p.page.inner_text("#error-shown")
    assert p.page.locator("img").count() == 0
    url = p.page.url
    again = open_page(url)  # the same text from a link
    assert again.page.locator("img").count() == 0 and HOSTILE in again.page.inner_text("#error-shown")


def test_copy_buttons_and_the_json_download(open_page: Any) -> None:
    p = open_page()
    p.page.select_option("#model", "vgg16")
    p.numbers()
    m = page.models()["models"]["vgg16"]
    request = json.dumps({"text": symcnn.zoo.source("vgg16"), "at": m["at"], "set": m["set"]})
    expected = json.loads(page.exports(request))
    for button, key in (("#copy-latex", "latex"), ("#copy-markdown", "markdown"), ("#copy-csv", "csv")):
        p.page.click(button)
        p.page.wait_for_function("() => document.getElementById('copied').textContent.includes('copied')")
        assert p.page.evaluate("navigator.clipboard.readText()") == expected[key]
        p.page.evaluate("document.getElementById('copied').textContent = ''")
    assert "138{,}357{,}544" in expected["latex"] and "138,357,544" in expected["markdown"]
    with p.page.expect_download() as download:
        p.page.click("#download-json")
    data = json.loads(Path(download.value.path()).read_text())
    assert download.value.suggested_filename == "vgg16.json" and data["totals"]["params"] == 138357544


def test_the_slider_moves_along_the_curve(open_page: Any) -> None:
    p = open_page()
    p.page.select_option("#model", "vgg16")
    p.numbers()
    dots = p.page.locator("#chart circle")
    titles = [dots.nth(i).text_content() for i in range(dots.count())]
    assert [t.split(":")[0] for t in titles] == [str(r) for r in range(32, 513, 16)]  # 31 points: 48 at most
    r = titles[10].split(":")[0]
    p.page.fill("#slider", "10")
    p.numbers()
    assert p.page.input_value("#at") == f"{r}x{r}x3"
    expected = symcnn.load("vgg16").analyze().at(f"{r}x{r}x3").totals
    macs = f"{expected['macs']:,}"
    assert p.total("macs") == macs and titles[10] == f"{r}: {macs} MACs"
    assert p.page.locator("#chart circle.here").count() == 1
    p.page.select_option("#axis", "width")
    p.numbers()
    p.page.select_option("#quantity", "params")
    half = p.page.locator('#chart circle[data-x="1/2"]')
    assert half.text_content() == "1/2: 35,617,672 params"  # symcnn vgg16 --width 0.5


def test_formulas_and_the_derivation_render_as_mathematics(open_page: Any) -> None:
    p = open_page()
    p.type("text", "conv3-16, relu, pool2, fc-K")
    p.page.wait_for_selector("#summary-math .katex", timeout=90_000)
    p.numbers()
    p.page.click("#derivation-box summary")
    assert p.page.locator("#derivation .katex").count() > 3
    assert p.page.locator(".katex-error").count() == 0  # KaTeX took every line symcnn wrote
    math = p.page.locator("#summary-math annotation").first.text_content()
    assert r"\text{Parameters}\quad P &= 16 K \left\lfloor{H / 2}\right\rfloor \left\lfloor{W / 2}\right\rfloor" \
        in math


def _command(cache: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "symcnn.web", *argv], stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)})


def test_symcnn_serve_serves_a_current_build_without_rebuilding(site: Path, cache: Path) -> None:
    before = (site / "build.json").stat().st_mtime_ns
    server = _command(cache, "--out", str(site), "--port", "0")
    try:
        line = server.stderr.readline()  # type: ignore[union-attr]
        assert line.startswith("serving the playground at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(url) as response:
            assert response.read() == (site / "index.html").read_bytes()
        with urllib.request.urlopen(url + "pyodide/pyodide.asm.wasm") as response:
            assert response.headers["Content-Type"] == "application/wasm"
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=30)
    assert (server.returncode, out) == (0, "stopped\n")
    assert (site / "build.json").stat().st_mtime_ns == before


def test_the_build_command_writes_a_site_and_refuses_a_folder_it_would_destroy(site: Path, cache: Path,
                                                                              tmp_path: Path) -> None:
    done = _command(cache, "--build-only", "--out", str(tmp_path / "fresh"))
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert out.startswith(f"the playground is in {tmp_path / 'fresh'}") and build.current(tmp_path / "fresh")
    assert (tmp_path / "fresh" / "python" / "core.zip").read_bytes() == (site / "python" / "core.zip").read_bytes()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    refused = _command(cache, "--build-only", "--out", str(tmp_path / "mine"))
    out, err = refused.communicate(timeout=60)
    assert refused.returncode == 2 and "is not empty and holds no playground build" in err
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_a_port_in_use_is_a_clear_error(site: Path, cache: Path) -> None:
    with serve.server(site, 0) as taken:
        port = taken.server_address[1]
        done = _command(cache, "--out", str(site), "--port", str(port))
        err = done.communicate(timeout=60)[1]
    assert done.returncode == 2 and f"cannot serve on 127.0.0.1:{port}" in err and "--port" in err
    assert "internal error" not in err
    done = _command(cache, "--out", str(site), "--port", "70000")
    assert done.communicate(timeout=60)[1].startswith("symcnn: error: --port takes a port number, 0 to 65535")


def test_a_build_of_another_symcnn_is_not_current(tmp_path: Path) -> None:
    (tmp_path / "build.json").write_text(json.dumps({"stamp": "0" * 64}))
    assert not build.current(tmp_path) and not build.current(tmp_path / "nothing")


def test_katex_takes_every_formula_and_derivation_of_every_built_in_model(open_page: Any) -> None:
    p = open_page()
    m = page.models()
    refused = {}
    for name, member in m["models"].items():
        request = json.dumps({"text": m["files"][member["file"]], "set": member["set"]})
        answer = json.loads(page.formulas(request))
        errors = p.page.evaluate("([s, d]) => window.symcnnKatexErrors(s, d)", [answer["summary"], answer["derivation"]])
        if errors:
            refused[name] = errors[0]
    assert refused == {}
    assert len(m["models"]) == len(symcnn.catalog.BY_NAME) > 70
