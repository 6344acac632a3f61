"""What the playground page asks of symcnn (symcnn.web.page), in CPython: the same functions run in Pyodide."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import symcnn
from symcnn import catalog
from symcnn.web import page


def ask(function, **request):  # type: ignore[no-untyped-def]
    return json.loads(function(json.dumps(request)))


# (text, at, set, params, MACs), counted by hand:
# conv3-16 on 3 channels: 3*3*3*16 + 16 = 448 params, 27*16 per output position, 32*32 positions.
HAND = [
    ("conv3-16, relu", "32x32x3", "", 448, 27 * 16 * 32 * 32),
    ("conv3-16, relu, gap, fc-10", "32x32x3", "", 448 + 16 * 10 + 10, 27 * 16 * 32 * 32 + 160),
    ("conv3-16, relu, gap, fc-K", "32x32x3", "K=7", 448 + 16 * 7 + 7, 27 * 16 * 32 * 32 + 112),
    ("conv1-8", "10x10x{c}", "c=4", 4 * 8 + 8, 4 * 8 * 100),
    ("fc-5", "2x3x4", "", 24 * 5 + 5, 24 * 5),
]


@pytest.mark.parametrize(("text", "at", "values", "params", "macs"), HAND)
def test_numbers_are_the_hand_counts_as_exact_strings(text: str, at: str, values: str, params: int, macs: int) -> None:
    answer = ask(page.numbers, text=text, at=at, set=values)
    assert answer["totals"]["params"] == str(params)
    assert answer["totals"]["macs"] == str(macs)
    rows = answer["layers"]
    assert sum(int(r["params"]) * int(r["count"]) for r in rows) == params  # the table adds up to the total
    assert sum(int(r["macs"]) * int(r["count"]) for r in rows) == macs


def test_counts_past_two_to_the_53_stay_exact() -> None:
    # 3*3*3*4096 MACs per position at 10^5 x 10^5 positions: 1.1e15 per channel group, past JavaScript's 2^53.
    answer = ask(page.numbers, text="conv3-4096, conv3-4096", at="100000x100000x3")
    macs = 9 * 3 * 4096 * 10**10 + 9 * 4096 * 4096 * 10**10
    assert macs > 2**53 and answer["totals"]["macs"] == str(macs)


def test_vgg16_from_the_picker_is_torchvisions_count() -> None:
    m = page.models()
    vgg16 = m["models"]["vgg16"]
    answer = ask(page.numbers, text=m["files"][vgg16["file"]], at=vgg16["at"], set=vgg16["set"])
    assert answer["totals"]["params"] == "138357544"  # torchvision's vgg16: sum(p.numel())
    assert answer["totals"]["macs"] == "15470264320"  # its weights' meta["_ops"]: 15.47 GFLOPS


@pytest.mark.parametrize("name", sorted(catalog.BY_NAME))
def test_every_model_in_the_picker_is_the_built_in_model(name: str) -> None:
    m = page.models()
    member = m["models"][name]
    answer = ask(page.numbers, text=m["files"][member["file"]], at=member["at"], set=member["set"])
    size = catalog.BY_NAME[name].size
    expected = symcnn.load(name).analyze().at(f"{size}x{size}x{catalog.BY_NAME[name].channels}").totals
    assert {k: answer["totals"][k] for k in ("params", "macs", "activations", "buffers")} == \
        {k: str(expected[k]) for k in ("params", "macs", "activations", "buffers")}


@pytest.mark.parametrize(("request_", "field", "line", "column"), [
    ({"text": "conv3-64, pool2, fc-", "at": "32x32x3"}, "text", 1, 21),
    ({"text": "conv3-8\n  conv3-", "at": "32x32x3"}, "text", 2, 9),
    ({"text": "conv3-8, pool{", "at": "32x32x3"}, "text", 1, 15),
    ({"text": "conv3-8", "at": "32x32x3", "set": "a=1,  K=="}, "set", 1, 9),
    ({"text": "conv3-8", "at": "  32xx3"}, "at", 1, 6),
    ({"text": "fc-K", "at": "32x32x3"}, "set", None, None),
    ({"text": "conv3-8", "at": "32x32"}, "at", None, None),
    ({"text": "conv3-8", "at": "32x32x3", "width": " w/"}, "width", 1, 4),
    ({"text": "conv3-8", "at": "32x32x3", "set": "K=1, K=2"}, "set", None, None),
    ({"text": "conv3-8", "at": "32x32x3", "set": "Q=1"}, "set", None, None),
    ({"text": "conv3-8,\n conv5-8[p=0]", "at": "4x4x3"}, "text", 2, 2),  # the layer the size is too small for
])
def test_an_error_names_its_field_and_place(request_: dict, field: str, line: int | None, column: int | None) -> None:
    error = ask(page.numbers, **request_)["error"]
    assert (error["field"], error["line"], error["column"]) == (field, line, column)
    assert error["message"] and error["shown"].startswith(error["kind"])
    if line is not None:
        shown = error["shown"].splitlines()
        quoted, caret = shown[1], shown[2]
        assert caret.index("^") - 2 == column - 1  # both lines are indented by two
        source = (request_.get(field) if field != "text" else request_["text"]).split("\n")[line - 1]
        assert quoted[2:] == source.replace("\t", " ")


def test_a_name_left_at_numbers_is_an_error_and_formulas_keep_it() -> None:
    error = ask(page.numbers, text="conv3-16, gap, fc-K", at="32x32x3")["error"]
    assert "K has no value" in error["message"] and "K=10" in error["hint"]
    formulas = ask(page.formulas, text="conv3-16, gap, fc-K")
    assert formulas["names"] == ["C", "H", "K", "W"]
    assert r"\text{Parameters}\quad P &= 144 C + 17 K + 16" in formulas["summary"]


def test_without_a_size_the_table_holds_formulas() -> None:
    answer = ask(page.numbers, text="conv3-16, gap, fc-10")
    assert answer["totals"]["params"] == "144*C + 186"
    assert answer["totals"]["macs"] == "144*C*H*W + 160"


def test_the_exports_are_the_library_outputs_of_the_view() -> None:
    exported = ask(page.exports, text="conv3-16, relu, gap, fc-K", at="32x32x3", set="K=10")
    analysis = symcnn.parse("conv3-16, relu, gap, fc-K").analyze().at("32x32x3", K=10)
    assert exported == {"latex": analysis.to_latex(), "markdown": analysis.to_markdown(), "csv": analysis.to_csv(),
                        "json": analysis.to_json()}
    assert json.loads(exported["json"])["totals"]["params"] == 448 + 170


def test_the_width_field_scales_as_the_cli_does() -> None:
    m = page.models()
    answer = ask(page.numbers, text=m["files"]["vgg.cnn"], at="224x224x3", width="1/2")
    assert answer["totals"]["params"] == "35617672"  # symcnn vgg16 --width 0.5 --at 224x224x3


@pytest.mark.parametrize(("axis", "lo", "hi", "count", "xs"), [
    ("resolution", "32", "64", 5, ["32", "40", "48", "56", "64"]),
    ("resolution", "30", "33", 48, ["30", "31", "32", "33"]),
    ("width", "1/4", "1", 4, ["1/4", "1/2", "3/4", "1"]),
])
def test_a_curve_point_is_the_analysis_at_that_point(axis: str, lo: str, hi: str, count: int, xs: list[str]) -> None:
    text = "conv3-64, relu, pool2, conv3-128, gap, fc-10"
    answer = ask(page.curve, text=text, at="32x32x3", axis=axis, lo=lo, hi=hi, count=count)
    assert [p["x"] for p in answer["points"]] == xs
    for point in answer["points"]:
        if axis == "resolution":
            net = symcnn.parse(text).analyze().at(f"{point['x']}x{point['x']}x3")
        else:
            net = symcnn.analysis.analyze(symcnn.scaling.scaled(symcnn.parse(text), point["x"])).at("32x32x3")
        assert point["params"] == str(net.totals["params"]) and point["macs"] == str(net.totals["macs"])


def test_a_curve_lists_the_points_the_network_cannot_take() -> None:
    answer = ask(page.curve, text="conv5-8[p=0], conv5-8[p=0]", at="32x32x3", axis="resolution", lo="4", hi="12",
                 count=3)
    assert [(p["x"], "error" in p) for p in answer["points"]] == [("4", True), ("8", True), ("12", False)]
    assert answer["points"][2]["macs"] == str(75 * 8 * 8 * 8 + 200 * 8 * 4 * 4)


@pytest.mark.parametrize("bad", [{"axis": "depth"}, {"axis": "width", "lo": "x"}])
def test_a_bad_curve_request_is_an_error(bad: dict) -> None:
    request = {"text": "conv3-8", "at": "32x32x3", "lo": "1", "hi": "2", **bad}
    assert ask(page.curve, **request)["error"]["field"] == "axis"


def test_hostile_text_comes_back_as_text_for_the_page_to_show() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    error = ask(page.numbers, text=hostile, at="32x32x3")["error"]
    assert hostile in error["shown"] and error["field"] == "text"


def test_the_numbers_and_the_exports_never_import_sympy() -> None:
    code = ("import json, sys; from symcnn.web import page; m = page.models(); v = m['models']['resnet50'];"
            "r = json.dumps({'text': m['files'][v['file']], 'at': v['at'], 'set': v['set']});"
            "page.numbers(r); page.exports(r);"
            "page.curve(json.dumps({**json.loads(r), 'axis': 'resolution', 'lo': 64, 'hi': 256, 'count': 4}));"
            "print('sympy' in sys.modules, 'numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
