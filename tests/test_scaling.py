"""Scaling laws: width, depth and resolution as names; solve, sweep, plot, compare."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

import pytest
import sympy

import symcnn
from symcnn.cli import main, run
from symcnn.growth import growth
from symcnn.scaling import make_divisible, scaled
from symcnn.solve import solve
from symcnn.sweep import grid, sweep
from tests.conftest import require_module

W = sympy.Symbol("w", positive=True)
VGG16_STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


def vgg16_text(width: Fraction) -> str:
    """VGG-16 written out with every channel count times ``width`` (the classifier's 1000 kept)."""
    def times(c: int) -> str:
        value = c * width
        assert value.denominator == 1, f"{c} x {width} is not a whole number"
        return str(value.numerator)

    stages = [f"(conv3-{times(c)}, relu) x{n}, pool2" for c, n in VGG16_STAGES]
    head = [f"apool7, fc-{times(4096)}, relu, dropout", f"fc-{times(4096)}, relu, dropout", "fc-1000"]
    return "input 224x224x3\n" + "\n".join(stages + head)


def direct(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in symcnn.parse(text).analyze().totals.items()}


def printed(output: str, section: str, key: str) -> str:
    """The formula printed for ``key`` under the heading ``section``."""
    block = output.split(section, 1)[1]
    return re.search(rf"^  {key} +(?:[=~] )?(.*)$", block, re.M).group(1)  # type: ignore[union-attr]


# width

def test_vgg16_width_formula_is_an_exact_quadratic_in_w() -> None:
    output = run(["vgg16", "--width", "w", "--at", "224x224x3", "--formula"])
    params = printed(output, "at the given values:", "params")
    a, b, c = map(int, re.fullmatch(r"(\d+)\*w\*\*2 \+ (\d+)\*w \+ (\d+)", params).groups())  # type: ignore[union-attr]
    macs = printed(output, "at the given values:", "macs")
    m2, m1 = map(int, re.fullmatch(r"(\d+)\*w\*\*2 \+ (\d+)\*w", macs).groups())  # type: ignore[union-attr]
    for w in (Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(3)):
        expected = direct(vgg16_text(w))
        assert a * w**2 + b * w + c == expected["params"]
        assert m2 * w**2 + m1 * w == expected["macs"]
    assert (a, b, c) == (134_246_400, 4_110_144, 1_000)


def test_vgg16_width_formula_with_the_input_left_open_is_collected_in_w() -> None:
    """torchvision's adaptive pool keeps fc1 at 7x7x512 inputs: params are free of H and W, MACs are not."""
    output = run(["vgg16", "--width", "w", "--formula"])
    assert printed(output, "exact totals", "params") == "134246400*w**2 + 4110144*w + 1000"
    macs = printed(output, "in powers of w:", "macs")
    assert macs == "w**2*(304128*H*W + 119537664) + w*(1728*H*W + 4096000)"
    for size in (64, 160, 224):
        for w in (Fraction(1, 2), Fraction(1)):
            body = vgg16_text(w).split("\n", 1)[1]
            assert (304128 * size**2 + 119537664) * w**2 + (1728 * size**2 + 4096000) * w == \
                direct(f"input {size}x{size}x3\n" + body)["macs"]


def test_per_layer_formulas_follow_the_width() -> None:
    rows = scaled(symcnn.load("vgg16"), width="w").analyze().at("224x224x3").rows
    convs = [row for row in rows if row.kind == "conv"]
    assert convs[0].weights == 1728 * W and convs[1].weights == 36864 * W**2
    assert convs[1].name == "conv3-{64*w}" and rows[-1].name == "fc-1000"
    assert rows[-1].weights == 4096000 * W


@pytest.mark.parametrize("text, expected", [
    # the classifier in a def used elsewhere: that use alone stays unscaled
    ("input 8x8x3\ndef cb(n) = conv1-n, relu\ncb(32), cb(10)", ["conv1-{32*w}", "conv1-10"]),
    # in a numeric repeat: the last pass alone
    ("input 8x8x3\nconv1-16, (conv1-10) x2", ["conv1-{16*w}", "conv1-{10*w}", "conv1-10"]),
    # tied to a branch: nothing is exempt
    ("input 8x8x3\nconv1-16, res(conv1-16)", ["conv1-{16*w}", "conv1-{16*w}"]),
    ("input 8x8x3\nconv1-16, dwconv3, fc-5, relu", ["conv1-{16*w}", "dwconv3", "fc-5"]),
])
def test_the_final_classifier_keeps_its_channel_count(text: str, expected: list[str]) -> None:
    rows = scaled(symcnn.parse(text), width="w").analyze().rows
    assert [r.name for r in rows if r.kind in ("conv", "dwconv", "fc")] == expected


def test_a_shared_definition_is_copied_not_changed() -> None:
    net = scaled(symcnn.parse("input 8x8x3\ndef cb(n) = conv1-n, relu\ncb(32), cb(10)"), width="2")
    assert [d.name for d in net.definitions] == ["cb", "cb_out"]
    assert net.analyze().totals["params"] == (3 * 64 + 64) + (64 * 10 + 10)


def test_make_divisible_is_torchvisions_rule() -> None:
    for k in range(1, 4001):  # every quarter up to 1000 channels: no value sits on the 0.9 boundary
        v = Fraction(k, 4)
        new = max(8, int(v + 4) // 8 * 8)  # torchvision's _make_divisible(v, 8), line by line
        if new < 0.9 * v:
            new += 8
        assert make_divisible(sympy.Rational(k, 4), 8) == new, v


def test_round_channels_makes_every_scaled_count_a_multiple_of_8() -> None:
    rows = scaled(symcnn.load("resnet50"), width="0.3", round_channels=8).analyze().at("224x224x3").rows
    channels = {int(r.output[2]) for r in rows if r.kind == "conv"}
    assert channels - {1000} and all(c % 8 == 0 for c in channels)
    output = run(["vgg16", "--width", "w", "--round-channels", "8", "--at", "224x224x3", "--formula"])
    assert "Piecewise" in printed(output, "at the given values:", "params")
    assert "not a polynomial" in printed(output, "growth", "params")


def test_regnet_width_multiplies_its_quantized_widths() -> None:
    # RegNetY-400MF at w = 1 is torchvision's 4,344,144 parameters; w = 2 doubles every width (groups too).
    output = run(["regnet_y_400mf", "--width", "w", "--formula"])
    params = printed(output, "exact totals", "params")
    assert params == "3564064*w**2 + 779080*w + 1000"
    assert (3564064 + 779080 + 1000, 3564064 * 4 + 779080 * 2 + 1000) == (4_344_144, 15_815_416)
    at_two = scaled(symcnn.load("regnet_y_400mf"), width="2").analyze().at("224x224x3").totals
    assert at_two["params"] == 15_815_416
    with pytest.raises(symcnn.SymcnnError, match="the number of groups is 9/2"):
        scaled(symcnn.load("regnet_y_400mf"), width="0.75").analyze().at("224x224x3")


@pytest.mark.parametrize("args, message", [
    (["vgg16", "--width", "0.3", "--at", "224x224x3"], "the number of filters is 96/5, but must be a positive integer"),
    (["input 8x8x3\nconv1-{8*a}, gap, fc-2", "--width", "a"], "the network already has a name 'a'"),
    (["vgg16", "--width", "0"], "the width must be a name or a positive number"),
    (["vgg16", "--resolution", "0.5"], "the resolution must be a name or a positive integer"),
    (["vgg16", "--round-channels", "8"], "give a --width too"),
    (["vgg16", "--width", "w", "--resolution", "w"], "cannot share the name 'w'"),
])
def test_scaling_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


# depth and growth

def test_a_symbolic_repeat_gives_cost_linear_in_its_count() -> None:
    body = "input 32x32x3\nconv3-64, (conv3-64, bn, relu) x{}, gap, fc-10"
    output = run([body.format("{n}"), "--formula"])
    slope, intercept = map(int, re.fullmatch(r"(\d+)\*n \+ (\d+)", printed(output, "exact totals", "params")).groups())  # type: ignore[union-attr]
    for n in (1, 2, 5):
        assert slope * n + intercept == direct(body.format(n))["params"]
    assert printed(output, "growth", "macs").split() == ["37748736*n", "n"]


@pytest.mark.parametrize("model, key, exponents", [
    ("vgg16", "params", {"w": 2}),              # the adaptive pool: fc1 reads 7x7x512 whatever r
    ("vgg16", "macs", {"r": 2, "w": 2}),
    ("resnet50", "params", {"w": 2}),           # global pooling: no r
    ("resnet50", "macs", {"r": 2, "w": 2}),
    ("resnet50", "activations", {"r": 2, "w": 1}),
    ("squeezenet1_0", "params", {"w": 2}),
])
def test_growth_exponents(model: str, key: str, exponents: dict[str, int]) -> None:
    totals = scaled(symcnn.load(model), width="w", resolution="r").analyze().totals
    found = growth(totals[key])
    assert found is not None and found.exponents == exponents
    t = sympy.Symbol("t", positive=True, integer=True)  # both names growing together
    together = {W: t, sympy.Symbol("r", positive=True, integer=True): t}
    assert sympy.limit(totals[key].xreplace(together) / found.leading.xreplace(together), t, sympy.oo) == 1


# solve

def solved(output: str, name: str) -> tuple[Fraction, Fraction]:
    """The largest whole value and the next step, as printed."""
    best = re.search(rf"with every count a whole number.*: {name} = ([\d/]+)", output).group(1)  # type: ignore[union-attr]
    step = re.search(rf"next step, {name} = ([\d/]+)", output).group(1)  # type: ignore[union-attr]
    return Fraction(best), Fraction(step)


def test_solve_vgg16_width_for_ten_million_parameters() -> None:
    output = run(["solve", "vgg16", "--width", "w", "params <= 10e6"])
    best, step = solved(output, "w")
    assert (best, step) == (Fraction(1, 4), Fraction(17, 64))
    assert direct(vgg16_text(best))["params"] <= 10_000_000 < direct(vgg16_text(step))["params"]
    assert "-21407/1398400 + sqrt(146110359649)/1398400" in output and "0.258035503727" in output


def test_solve_resolution_for_a_mac_budget() -> None:
    output = run(["solve", "vgg16", "--resolution", "r", "macs <= 1e9"])
    best, step = solved(output, "r")
    assert (best, step) == (55, 56)
    assert direct(f"input {best}x{best}x3\n" + vgg16_text(Fraction(1)).split("\n", 1)[1])["macs"] <= 10**9
    assert direct(f"input {step}x{step}x3\n" + vgg16_text(Fraction(1)).split("\n", 1)[1])["macs"] > 10**9
    assert "when r is a multiple of 16:\n  macs = 305856*r**2 + 123633664" in output


def test_solve_a_budget_of_ten_to_the_three_hundred_exactly() -> None:
    # Past SymPy's default precision (it raised PrecisionExhausted): the boundary is ~10^146.
    best, step = solved(run(["solve", "vgg16", "--width", "w", "params <= 1e300"]), "w")
    params = lambda w: 134246400 * w**2 + 4110144 * w + 1000  # noqa: E731  (test_vgg16_width_formula...)
    assert params(best) <= 10**300 < params(step) and step - best == Fraction(1, 64)
    best, step = solved(run(["solve", "vgg16", "--resolution", "r", "macs <= 1e300"]), "r")
    body = vgg16_text(Fraction(1)).split("\n", 1)[1]
    assert direct(f"input {best}x{best}x3\n" + body)["macs"] <= 10**300 < direct(f"input {step}x{step}x3\n" + body)["macs"]


@pytest.mark.parametrize("budget", ["params <= 10e6 and macs < 2e9", "flops <= 3e9", "activations <= 2e7",
                                    "activation_bytes <= 8e7 and params >= 1e6"])
def test_solve_is_the_edge_of_the_budget(budget: str) -> None:
    analysis = scaled(symcnn.load("resnet50"), width="w").analyze().at("224x224x3")
    answer = solve(analysis, budget)
    assert answer.step == Fraction(1, 64)
    assert all(c.holds(answer.best.totals[c.total]) for c in answer.constraints)
    assert not all(c.holds(answer.next.totals[c.total]) for c in answer.constraints)
    assert answer.best.totals == analysis.at(w=answer.best.value).totals
    assert answer.largest is not None and answer.best.value <= answer.largest < answer.next.value


def test_solve_a_networks_own_name_with_rounding_to_eight() -> None:
    mobilenet = scaled(symcnn.load("mobilenet_v1"), width="a")  # its own width multiplier, left open
    answer = solve(mobilenet.analyze().at("224x224x3"), "macs <= 300e6", multiple=8)
    assert answer.step == Fraction(1, 4) and answer.best.value == Fraction(1, 2)
    assert answer.best.totals["macs"] == 149_497_088


@pytest.mark.parametrize("args, message", [
    (["vgg16", "--width", "w", "params <= 100"], "no w satisfies params <= 100: already at the smallest step"),
    (["vgg16", "--width", "w", "params >= 1e6"], "holds for arbitrarily large w"),
    (["vgg16", "--width", "w", "params <= 1e7 and macs >= 1e10"], "the upper bounds allow w up to 1/4"),
    (["resnet50", "--resolution", "r", "params <= 1e9"], "params has no name left to solve for"),
    (["vgg16", "--width", "w", "--resolution", "r", "macs <= 1e9"], "depends on r, w"),
    (["vgg16", "--width", "w", "params =< 10"], "unexpected '=<' in the constraint"),
    (["vgg16", "--width", "w", "parameters <= 10"], "unknown total 'parameters'"),
    (["vgg16", "--width", "w", "params <= 10 or macs <= 5"], "expected 'and' or the end"),
    (["vgg16", "--width", "w", "params <="], "the constraint ends too soon"),
    (["vgg16", "--width", "w", "--bogus", "params <= 1e7"], "unrecognized arguments: --bogus"),
    (["mobilenet_v1", "--width", "w", "--set", "a=1", "--set", "a=2", "params <= 1e7"], "--set gives a twice"),
])
def test_solve_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(symcnn.SymcnnError, match=re.escape(message)):
        run(["solve", *args])
    assert main(["solve", *args]) == 2
    assert message in capsys.readouterr().err


# sweep, plot, compare

def test_sweep_equals_direct_analysis_and_stays_exact() -> None:
    analysis = scaled(symcnn.load("resnet50"), width="w", resolution="r").analyze()
    result = sweep(analysis, {"w": grid("0.25:1:0.25"), "r": grid("128,224")})
    for (w, r), totals in result.points():
        expected = analysis.at(w=w, r=r).totals
        assert all(type(value) is int for value in totals.values())
        assert totals == {k: int(v) for k, v in expected.items()}
    floats = sweep(analysis, {"w": grid("0.25:1:0.25"), "r": grid("128,224")}, exact=False)
    assert (floats.totals["macs"] == result.totals["macs"].astype(float)).all()


def test_sweep_table_and_csv() -> None:
    table = run(["sweep", "resnet50", "--width", "w=0.25:2:0.25"]).splitlines()
    assert table[0].split() == ["w", "params", "MACs", "activations"] and len(table) == 2 + 8
    assert table[6].split()[:3] == ["1.25", "39,272,760", "6,351,831,040"]
    csv = run(["sweep", "resnet50", "vgg16", "--resolution", "r=128:320:64", "--csv"]).splitlines()
    assert csv[0].startswith("model,r,params,weights") and len(csv) == 1 + 2 * 4
    assert csv[2].split(",")[:3] == ["resnet50", "192", "25557032"]
    assert int(csv[6].split(",")[2]) == direct("input 192x192x3\n" + vgg16_text(Fraction(1)).split("\n", 1)[1])["params"]


def test_a_long_sweep_table_comes_in_parts_and_each_row_is_its_point() -> None:
    from symcnn.formats.tables import CHUNK, sweep_parts
    from symcnn.formats.tables import sweep as sweep_table

    analysis = scaled(symcnn.load("vgg16"), width="w", resolution="r").analyze()
    result = sweep(analysis, {"w": grid("1/64:400/64:1/64"), "r": grid("32:300:1")})
    count, parts = sweep_parts([result])
    parts = list(parts)
    assert len(parts) == count == 1 + 2 and 400 * 269 > CHUNK  # the header, then two parts of rows
    lines = "\n".join(parts).splitlines()
    assert lines == sweep_table([result]).splitlines() and len(lines) == 2 + 400 * 269
    widths = {len(line) for line in lines}
    assert len(widths) == 1  # every row as wide as the header: right-aligned columns
    for line, ((w, r), totals) in itertools.islice(zip(lines[2:], result.points()), 0, None, 997):
        cells = line.split()
        assert Fraction(cells[0]) == w and int(cells[1]) == r
        assert [int(c.replace(",", "")) for c in cells[2:]] == [totals[k] for k in ("params", "macs", "activations")]


# MobileNet v1, Tables 6 and 7 of Howard et al. (2017): millions of mult-adds and of parameters.
MOBILENET_V1 = {(1, 224): (569, 4.2), (Fraction(3, 4), 224): (325, 2.6), (Fraction(1, 2), 224): (149, 1.3),
                (Fraction(1, 4), 224): (41, 0.5), (1, 192): (418, 4.2), (1, 160): (290, 4.2), (1, 128): (186, 4.2)}


def test_mobilenet_v1_sweep_matches_the_papers_tables() -> None:
    analysis = scaled(symcnn.load("mobilenet_v1"), width="a", resolution="r").analyze()
    result = sweep(analysis, {"a": grid("0.25,0.5,0.75,1"), "r": grid("128:224:32")})
    found = {(Fraction(str(a)), int(r)): totals for (a, r), totals in result.points()}
    for (a, r), (macs, params) in MOBILENET_V1.items():
        assert abs(found[a, r]["macs"] / 1e6 - macs) < 1  # the paper rounds 568.7 up but 290.7 down
        assert round(found[a, r]["params"] / 1e6, 1) == params


@pytest.mark.parametrize("args, message", [
    (["vgg16", "--width", "w=0.3"], "at w = 3/10: layer 1 'conv3-{96/5}'"),
    (["vgg16", "--width", "w=1:0.5:0.25"], "is not a range start:stop:step"),
    (["vgg16", "--width", "w=a:b"], "'a' in 'a:b' is not a number"),
    (["input 8x8x3\nconv1-{8*a}, gap, fc-2", "--width", "w=1"], "the totals still depend on a"),
    (["vgg16", "--set", "K=1:2:1", "--width", "w=1"], "none of these networks has a name 'K'"),
    (["vgg16", "--width", "w=0.25:1000:0.0001"], "more than 1,000,000 values"),
    (["lenet5"], "nothing to sweep: give a grid"),
])
def test_sweep_errors(args: list[str], message: str) -> None:
    with pytest.raises(symcnn.SymcnnError, match=re.escape(message)):
        run(["sweep", *args])


def test_a_name_set_for_some_networks_applies_where_it_exists() -> None:
    rows = [line.split() for line in run(["sweep", "vgg16", "mobilenet_v1", "--resolution", "r=128:224:96",
                                          "--set", "a=0.5"]).splitlines()[2:]]
    assert {row[0] for row in rows} == {"vgg16", "mobilenet_v1"}
    half = symcnn.load("mobilenet_v1").analyze().at("224x224x3", a="0.5").totals["params"]
    assert [row[2] for row in rows if row[0] == "mobilenet_v1" and row[1] == "224"] == [f"{half:,}"]
    with pytest.raises(symcnn.SymcnnError, match="none of these networks has a name 'zz'"):
        run(["sweep", "vgg16", "mobilenet_v1", "--resolution", "r=128:224:96", "--set", "zz=1"])


def test_plot_draws_several_models(tmp_path: object) -> None:
    require_module("matplotlib")
    out = f"{tmp_path}/cost.png"
    assert run(["sweep", "resnet50", "mobilenet_v2", "vgg16", "--resolution", "r=96:384:32", "--plot", out]) == \
        f"wrote {out} (PNG)"
    with open(out, "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    # the file named, exactly: no suffix added; an SVG by its suffix; a directory refused
    bare = f"{tmp_path}/cost"
    assert run(["sweep", "vgg16", "--resolution", "r=96:224:32", "--plot", bare]) == f"wrote {bare} (PNG)"
    with open(bare, "rb") as file:
        assert file.read(4) == b"\x89PNG"
    svg = f"{tmp_path}/cost.svg"
    assert run(["sweep", "vgg16", "--resolution", "r=96:224:32", "--plot", svg]) == f"wrote {svg} (SVG)"
    with open(svg, encoding="utf-8") as file:
        assert "<svg" in file.read()
    with pytest.raises(symcnn.SymcnnError, match="is a directory"):
        run(["sweep", "vgg16", "--resolution", "r=96:224:32", "--plot", str(tmp_path)])
    with pytest.raises(symcnn.SymcnnError, match=r"not \.jpg"):
        run(["sweep", "vgg16", "--resolution", "r=96:224:32", "--plot", f"{tmp_path}/cost.jpg"])
    with pytest.raises(symcnn.SymcnnError, match="one swept name"):
        run(["sweep", "vgg16", "--width", "w=0.5,1", "--resolution", "r=128,224", "--plot", out])


def test_compare_refuses_a_name_given_twice() -> None:
    with pytest.raises(symcnn.SymcnnError, match="--set gives a twice"):
        run(["compare", "vgg16", "mobilenet_v1", "--set", "a=1", "--set", "a=0.5"])


def test_compare_puts_totals_side_by_side() -> None:
    lines = run(["compare", "vgg16", "resnet50", "mobilenet_v2", "--at", "224x224x3"]).splitlines()
    assert lines[0].split() == ["vgg16", "resnet50", "mobilenet_v2"]
    assert lines[2].split() == ["params", "138,357,544", "25,557,032", "3,504,872"]
    assert lines[6].split() == ["MACs", "15,470,264,320", "4,089,184,256", "300,774,272"]


def test_solve_names_the_network_briefly() -> None:
    output = run(["solve", "input 32x32x3\nconv3-64\nconv3-64, gap, fc-10", "--width", "w", "params <= 1e4"])
    assert output.splitlines()[0].startswith("the network at 32x32x3, every channel count")
    assert run(["solve", "vgg16", "--width", "w", "params <= 1e7"]).startswith("vgg16 at 224x224x3")


def test_a_bound_written_many_times_is_one_bound() -> None:
    once = run(["solve", "vgg16", "--width", "w", "params <= 1e7"])
    assert run(["solve", "vgg16", "--width", "w", " and ".join(["params <= 1e7"] * 200)]) == once


def test_sweep_over_a_name_with_a_default_from_the_command_line() -> None:
    # mobilenet_v1's `let a = 1`: the README's sweep over a keeps a a name (it said "do not depend on a")
    rows = [line.split() for line in run(["sweep", "mobilenet_v1", "--set", "a=0.25,0.5,0.75,1", "--resolution",
                                          "r=128:224:32"]).splitlines()[2:]]
    found = {(Fraction(a), int(r)): int(params.replace(",", "")) for r, a, params, *_ in rows}
    assert len(found) == 16
    for (a, r), (_, params) in MOBILENET_V1.items():
        assert round(found[a, r] / 1e6, 1) == params


def test_exact_grid_evaluation_equals_direct_analysis() -> None:
    # the integer path (numerators over one denominator, int64 or Python ints) against .at() point by point
    analysis = scaled(symcnn.load("resnet50"), width="w", resolution="r").analyze()
    result = sweep(analysis, {"w": grid("1/64:2:37/64"), "r": grid("31:257:45")})
    for (w, r), totals in result.points():
        direct_totals = analysis.at(w=str(w), r=int(r)).totals
        assert all(type(totals[k]) is int and totals[k] == direct_totals[k] for k in totals), (w, r)
    huge = sweep(scaled(symcnn.load("vgg16"), width="w").analyze().at("224x224x3"), {"w": grid("1e40,2e40")})
    assert huge.totals["params"].tolist() == [134246400 * w**2 + 4110144 * w + 1000 for w in (10**40, 2 * 10**40)]


def test_a_bound_no_positive_value_reaches_is_said_in_words() -> None:
    output = run(["solve", "vgg16", "--width", "w", "params >= 1e3 and params <= 1e7"])
    assert "boundary: params = 1,000 at no positive w" in output and "no positive value" not in output
