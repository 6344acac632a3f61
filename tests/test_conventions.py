"""``--as TOOL`` against the real tools: ptflops (both backends), thop, fvcore, torchinfo, flop_counter, DeepSpeed.

Each tool runs on the real model (torchvision's, or ``symcnn.to_torch``'s where torchvision has
none) and its own total must equal symcnn's figure for it exactly: on one small network per layer
kind, on random networks from the referee's strategy, and on every torchvision model of the catalogue.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from fractions import Fraction
from typing import Any

import pytest
from counters import RUNNERS, every_total
from hypothesis import HealthCheck, given, settings
from referee import member_id, torch, torchvision
from test_torch_referee import Case, random_networks

import symcnn
from symcnn.catalog import MEMBERS
from symcnn.cli import run
from symcnn.conventions import as_tool, explain
from symcnn.conventions.tools import TOOLS
from symcnn.errors import SymcnnError


def same(real: Any, ours: Any) -> bool:
    """Exactly equal; where the tool computes in floating point (thop) and the exact figure is not whole, to 1e-12."""
    if isinstance(ours, Fraction) and ours.denominator != 1:
        return math.isclose(float(real), ours, rel_tol=1e-12)
    return real == ours


def differing(analysis: symcnn.Analysis, real: dict[str, Any]) -> dict[str, Any]:
    """Every tool whose own total differs from ``as_tool``: tool -> (the tool's, ours)."""
    assert set(real) == set(RUNNERS)
    ours = {name: as_tool(analysis, name).total for name in real}
    return {name: (real[name], ours[name]) for name in real if not same(real[name], ours[name])}


def disagreements(analysis: symcnn.Analysis, model: torch.nn.Module, size: tuple[int, int, int]) -> dict[str, Any]:
    """:func:`differing` for the tools run on ``model`` here."""
    return differing(analysis, every_total(model, size))


# One small network per kind (and per option that changes a count), each through every tool.
KIND_NETWORKS = [
    "conv3-8", "conv3-8[bias=false]", "dwconv3", "deconv2-8/2", "deconv3-8/2[bias=false]", "bn", "relu", "relu6",
    "lrelu", "sigmoid", "tanh", "gelu", "silu", "swish", "hswish", "hsigmoid", "mish", "dropout", "droppath", "ln",
    "gn2", "inorm", "inorm[affine=true]", "lrn", "maxpool2", "avgpool2", "apool3", "apool5", "resize8x8",
    "resize8x8[mode=bilinear]", "upsample2", "scale", "shuffle2", "res(conv1-8)", "concat(conv1-4 | conv1-4)",
    "mul(gap, conv1-8, sigmoid)", "gap", "gmp", "flatten, fc-10", "fc-10, softmax", "softmax",
    "conv3-8/2, bn, relu, res(conv3-8, bn), maxpool2",
    # the same layers as torchvision's code computes some of them (torch=)
    "relu[torch=function]", "gelu[torch=function]", "lrelu[torch=function]", "relu6[torch=function]",
    "silu[torch=function]", "softmax[torch=function]", "maxpool2[torch=function]", "avgpool2[torch=function]",
    "gap[torch=function]", "gap[torch=mean]", "gmp[torch=function]", "apool3[torch=function]",
    "conv1-16[torch=last]", "conv1-16[torch=last, bias=false]", "ln[torch=last]",
]


def test_every_kind_is_checked_against_the_other_tools() -> None:
    """A new kind must join KIND_NETWORKS: a tool's table lists only the kinds it counts, and 0 must be checked."""
    from symcnn.layers import REGISTRY

    checked = {row.kind for body in KIND_NETWORKS for row in symcnn.parse(f"input 12x12x8\n{body}").analyze().rows}
    untracked = {"id", "uncounted", "crop", "pool"}  # id: nothing; uncounted: refused by to_torch; crop: needs a join
    assert set(REGISTRY) - untracked <= checked, set(REGISTRY) - untracked - checked


@pytest.mark.parametrize("body", KIND_NETWORKS)
def test_every_tool_on_one_network_per_kind(body: str) -> None:
    analysis = symcnn.parse(f"input 12x12x8\n{body}").analyze()
    assert disagreements(analysis, symcnn.to_torch(analysis), (8, 12, 12)) == {}


RANDOM_EXAMPLES = 30


def test_every_tool_on_random_networks() -> None:
    outcomes: Counter[str] = Counter()
    kinds: set[str] = set()

    # derandomized: the same networks on every run, so that the kinds below are always among them
    @settings(max_examples=RANDOM_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(random_networks())
    def check(case: Case) -> None:
        try:
            analysis = symcnn.parse(case.text).analyze().at(case.dims, **case.values)
            model = symcnn.to_torch(analysis)
        except SymcnnError:
            outcomes["rejected"] += 1
            return
        h, w, c = analysis.input
        assert disagreements(analysis, model, (c, h, w)) == {}, case.text
        outcomes["checked"] += 1
        kinds.update(row.kind for row in analysis.rows)

    check()
    print(f"random networks: {outcomes['checked']} checked against every tool, {outcomes['rejected']} rejected; "
          f"kinds: {', '.join(sorted(kinds))}")
    assert outcomes["checked"] >= RANDOM_EXAMPLES // 2, outcomes
    assert len(kinds - {"input"}) >= 8, kinds


TORCHVISION_MEMBERS = [m for m in MEMBERS if m.torchvision is not None]
SIZE = 128  # every tool's rule is the same at any size; 128 keeps the 74 models x 8 tools to about two minutes


@pytest.fixture(scope="module")
def real_totals() -> dict[str, dict[str, Any]]:
    """Each torchvision model's totals by every tool, from two processes of their own (half the models each).

    Not in this process: the tools keep some of each model they count alive (ptflops and torchinfo
    most), which beside the other tests' models would fill the machine's memory.
    """
    script = Path(__file__).with_name("counters.py")
    names = [m.name for m in TORCHVISION_MEMBERS]
    runs = [subprocess.Popen([sys.executable, str(script), str(SIZE), *names[i::2]], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for i in range(2)]
    found = {}
    for process in runs:
        out, err = process.communicate(timeout=1800)
        assert process.returncode == 0, err[-2000:]
        for line in out.splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                found[record["name"]] = record["totals"]
    return found


@pytest.mark.parametrize("member", TORCHVISION_MEMBERS, ids=member_id)
def test_every_tool_on_the_real_torchvision_model(member: Any, real_totals: dict[str, dict[str, Any]]) -> None:
    analysis = symcnn.load(member.name).analyze().at(f"{SIZE}x{SIZE}x{member.channels}", **member.values)
    assert differing(analysis, real_totals[member.name]) == {}


@pytest.mark.parametrize("member", TORCHVISION_MEMBERS, ids=member_id)
def test_torchvision_column_equals_the_weights_meta(member: Any) -> None:
    """Each of torchvision's weights states its GFLOPS (``meta["_ops"]``) at the size it is evaluated at."""
    weights = torchvision().models.get_model_weights(member.torchvision.split(".")[-1])
    stated = {Fraction(str(w.meta["_ops"])) for w in weights
              if getattr(w.transforms(), "crop_size", [member.size]) == [member.size]}
    # the segmentation weights are trained with the auxiliary head, which runs in eval too
    values = {**member.values, "aux": 1} if member.side_in_eval else member.values
    analysis = symcnn.load(member.name).analyze().at(f"{member.size}x{member.size}x{member.channels}", **values)
    counted = as_tool(analysis, "torchvision", sides=member.side_in_eval)
    assert Fraction(counted.shown) / 10**9 in stated, stated


RESNET50 = {  # measured with the real tools on torchvision's resnet50 at 224x224 (torch 2.13 CPU)
    "4,089,184,256": "symcnn (MACs)", "4,132,436,968": "ptflops 0.7.5 (MACs)",
    "4,089,185,256": "ptflops 0.7.5 (aten backend) (MACs)", "4,133,742,592": "thop 0.1.1 (MACs)",
    "4,111,512,576": "fvcore 0.1.5 (MACs)", "4,089,238,376": "torchinfo 1.8.0 (MACs)",
    "4.11e9": "fvcore 0.1.5 (MACs)", "4.13G": "ptflops 0.7.5 (MACs)", "4.089e9": "torchvision's GFLOPS column (MACs)",
}


@pytest.mark.parametrize("number, label", RESNET50.items())
def test_explain_finds_each_resnet50_figure(number: str, label: str) -> None:
    found, _ = explain(symcnn.load("resnet50").analyze().at("224x224x3"), number)
    assert label in [m.label for m in found]


def test_explain_says_none_and_the_closest_with_its_gap() -> None:
    text = run(["resnet50", "--at", "224x224x3", "--explain", "4.2e9"])
    assert text == ("no convention symcnn knows gives 4.2e9 for resnet50 at 224x224x3; the closest is thop 0.1.1 "
                    "(MACs): 4,133,742,592, 66,257,408 (1.60%) away")


def test_as_all_has_a_row_per_tool_and_its_breakdown_adds_up() -> None:
    text = run(["resnet50", "--at", "224x224x3", "--as", "all"])
    rows = {line.split()[0]: line for line in text.splitlines()[3:15] if line.strip()}
    assert set(TOOLS) <= set(rows)
    assert rows["thop"].split()[-3:] == ["4,133,742,592", "MACs", "+44,558,336"]
    # the breakdown under each tool re-adds to its difference in the table
    sections = re.split(r"\n\n", text)[2:]
    for section in sections:
        name = section.split(":")[0]
        parts = [int(m.group(1).replace(",", "").replace(" ", "")) for m in
                 re.finditer(r"^\s+([+-] [\d,]+)  ", section, re.M)]
        shown = rows[name].split()[-1]
        assert sum(parts) == int(shown.replace(",", "")), name


def test_as_one_tool_rows_add_up_to_its_total() -> None:
    counted = as_tool(symcnn.load("densenet121").analyze().at("224x224x3"), "ptflops")
    assert sum(count for _, count, _ in counted.rows) == counted.total == sum(counted.parts.values())
    assert sum(mine for _, _, mine in counted.rows) == counted.own_total == 2_834_161_664  # torchvision: 2.834
    text = run(["densenet121", "--at", "224x224x3", "--as", "ptflops"])
    assert f"total: {counted.total:,} MACs" in text


def test_keras_splits_trainable_and_non_trainable() -> None:
    counted = as_tool(symcnn.load("resnet50").analyze().at("224x224x3"), "keras")
    assert counted.total == 25_557_032 + 53_120
    assert "Trainable params: 25,557,032; Non-trainable params: 53,120" in run(["resnet50", "--as", "keras"])


@pytest.mark.parametrize("args, message", [
    (["resnet50", "--as", "nothing"], "not a tool symcnn knows"),
    (["resnet50", "--as", "thop", "--latex"], "do not combine with --latex"),
    (["resnet50", "--as", "thop", "--explain", "4e9"], "not both"),
    (["resnet50", "--explain", "four"], "not a number"),
    (["resnet50", "--explain", "4e9"], "needs numbers"),
    (["resnet50", "--at", "224x224x3", "--explain", "4e9", "--json"], "--json applies to --as"),
])
def test_bad_requests_say_what_is_wrong(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    from symcnn.cli import main

    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_formulas_where_names_are_left() -> None:
    counted = as_tool(symcnn.load("vgg16").analyze(), "ptflops")
    for size in (32, 224):
        at = symcnn.load("vgg16").analyze().at(f"{size}x{size}x3")
        value = counted.total.subs({s: size for s in counted.total.free_symbols})
        assert value == as_tool(at, "ptflops").total


@pytest.mark.parametrize("command", ["resnet50 --at 224x224x3 --as all", "resnet50 --at 224x224x3 --explain 4.11e9"])
def test_the_readme_shows_what_the_command_prints(command: str) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split(f"$ symcnn {command}\n", 1)[1]
    assert block.startswith(run(command.split()) + "\n")


FORMS = ["relu[torch=function]", "pool2[torch=function]", "gap[torch=mean]", "gap[torch=function]",
         "conv1-16[torch=last]", "conv1-16[bias=false, torch=last]", "ln[torch=last]", "apool3[torch=function]"]


@pytest.mark.parametrize("body", FORMS)
def test_a_torch_form_round_trips_and_changes_no_cost(body: str) -> None:
    formed = symcnn.parse(f"input 12x12x8\n{body}").analyze()
    without = re.sub(r",? ?torch=\w+", "", body).replace("[]", "")
    plain = symcnn.parse(f"input 12x12x8\n{without}").analyze()
    layer = formed.rows[1].layer
    assert layer.notation() == body and symcnn.parse(f"input 12x12x8\n{layer.notation()}").analyze().rows[1].layer == \
        layer
    assert formed.totals == plain.totals and layer != plain.rows[1].layer


def test_torch_function_builds_no_module_of_the_layer_s_type() -> None:
    analysis = symcnn.parse("input 12x12x8\nconv3-8, relu[torch=function], relu").analyze()
    model = symcnn.to_torch(analysis)
    assert [type(m).__name__ for m in model.modules()].count("ReLU") == 1
    x = torch.randn(1, 8, 12, 12)
    assert torch.equal(model(x), torch.relu(model[0](x)))


@pytest.mark.parametrize("body, message, column", [
    ("gmp[torch=mean]", "gmp is not computed as torch=mean in PyTorch; it takes torch=module or function", 5),
    ("conv3-8[torch=last]", "does not take the option 'torch'; it takes stride, padding, dilation, groups, bias", 9),
    ("bn[torch=function]", "bn does not take the option 'torch'; it takes no options", 4),
    ("relu[torch=3]", "the option 'torch' takes a word", 6),
])
def test_a_form_a_layer_does_not_have_is_an_error_at_its_place(body: str, message: str, column: int) -> None:
    with pytest.raises(SymcnnError) as error:
        symcnn.parse(f"input 12x12x8\n{body}")
    assert message in str(error.value) and f"line 2, column {column}" in str(error.value)


def test_side_outputs_are_left_out_and_said_so() -> None:
    text = run(["googlenet", "--at", "224x224x3", "--set", "aux=1", "--as", "thop"])
    assert "side outputs (auxiliary heads) are not counted" in text
    with_aux = symcnn.load("googlenet").analyze().at("224x224x3", aux=1)
    assert as_tool(with_aux, "thop").total == as_tool(symcnn.load("googlenet").analyze().at("224x224x3"), "thop").total
    assert as_tool(with_aux, "thop", sides=True).total > as_tool(with_aux, "thop").total
