"""Models people already have: ``from_torch`` and ``from_onnx`` against the real torchvision models.

Every torchvision member of the catalogue, imported from the real model, counts exactly what the
real model counts (params, floating buffers, ``FlopCounterMode`` FLOPs = 2 x MACs, output shape) at
its reference resolution, equals the built-in family file there, keeps H and W as names so that
its formulas give the real FLOPs at two other resolutions, and writes notation that parses back to
the same analysis. ONNX files exported by ``torch.onnx.export`` come back exact for ten models.
Models with operations symcnn cannot count are refused with every such op listed, or, when the
user allows it, analysed with those ops named in every output.
"""

from __future__ import annotations

import io
import json
import sys
import types

import pytest
import sympy
from conftest import require_module
from referee import build, counts, member_id, torch, torchvision

import symcnn
from symcnn.catalog import MEMBERS, Member
from symcnn.cli import main, run

TORCHVISION = [m for m in MEMBERS if m.torchvision is not None]
OTHER_SIZES = (200, 257)  # not multiples of 32: every floor and ceiling of the formulas is exercised


def real(member: Member) -> torch.nn.Module:
    return build(member)


def totals(analysis: symcnn.Analysis, member: Member) -> dict[str, object]:
    """What the real model reports: auxiliary heads' parameters always, their FLOPs where they run in eval mode."""
    side = analysis.side_totals or {"params": 0, "buffers": 0, "macs": 0}
    macs = analysis.totals["macs"] + (side["macs"] if member.side_in_eval else 0)
    return {"params": analysis.totals["params"] + side["params"],
            "buffers": analysis.totals["buffers"] + side["buffers"], "flops": 2 * macs,
            "output": analysis.rows[-1].output}


def measured(model: torch.nn.Module, size: int, channels: int) -> dict[str, object]:
    found = counts(model, size, channels)
    return {key: found[key] for key in ("params", "buffers", "flops", "output")}


@pytest.mark.parametrize("member", TORCHVISION, ids=member_id)
def test_every_torchvision_model_imports_exactly(member: Member) -> None:
    model = real(member)
    size = member.size
    network = symcnn.from_torch(model, (member.channels, size, size))
    at = f"{size}x{size}x{member.channels}"
    imported = network.analyze().at(at)
    assert totals(imported, member) == measured(model, size, member.channels)

    built_in = symcnn.load(member.name).analyze().at(at)
    assert {k: imported.totals[k] for k in ("params", "buffers", "macs", "activations")} == \
        {k: built_in.totals[k] for k in ("params", "buffers", "macs", "activations")}

    again = symcnn.parse(network.to_notation()).analyze().at(at)
    assert again.totals == imported.totals
    assert [r.output for r in again.rows] == [r.output for r in imported.rows]

    formulas = network.analyze()
    h, w = formulas.input[:2]
    assert isinstance(h, sympy.Symbol) and isinstance(w, sympy.Symbol), formulas.input
    side = formulas.side_totals if member.side_in_eval and formulas.side_totals else {"macs": 0}
    macs = sympy.sympify(formulas.totals["macs"]) + sympy.sympify(side["macs"])
    for other in OTHER_SIZES:
        assert 2 * macs.xreplace({h: other, w: other}) == counts(model, other, member.channels)["flops"], other


# ONNX: exported in training mode, so BatchNorm stays a node of its own (eval mode folds it into the
# convolution before the file is written, and the file then has no BatchNorm to count).
ONNX_MODELS = ["resnet18", "mobilenet_v2", "densenet121", "squeezenet1_0", "vgg11", "alexnet", "regnet_x_400mf",
               "mnasnet1_0", "mobilenet_v3_small", "resnext50_32x4d"]


@pytest.mark.filterwarnings("ignore:ONNX Preprocess:UserWarning")  # the exporter's notes on BatchNorm's counter
@pytest.mark.parametrize("name", ONNX_MODELS)
def test_onnx_exports_come_back_exact(name: str, tmp_path: object) -> None:
    require_module("onnx")
    member = symcnn.catalog.BY_NAME[name]
    model = getattr(torchvision().models, name)(weights=None).eval()
    path = f"{tmp_path}/{name}.onnx"
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), path, dynamo=False,
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    analysis = symcnn.from_onnx(path).analyze().at("224x224x3")
    assert totals(analysis, member) == measured(model, 224, 3)
    cli = json.loads(run([path, "--at", "224x224x3", "--json"]))["totals"]
    assert cli["params"] == analysis.totals["params"] and cli["macs"] == analysis.totals["macs"]


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx: object, x: torch.Tensor) -> torch.Tensor:
        return x * x * x

    @staticmethod
    def backward(ctx: object, grad: torch.Tensor) -> torch.Tensor:
        return grad


class WithCustomFunction(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.head = torch.nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = Cube.apply(self.conv(x))
        return self.head(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1))


def _vit() -> torch.nn.Module:
    with torch.device("meta"):
        return torchvision().models.vit_b_16(weights=None)


def _swin() -> torch.nn.Module:
    with torch.device("meta"):
        return torchvision().models.swin_t(weights=None)


UNSUPPORTED = {
    "vit_b_16": (_vit, ["MultiheadAttention", "x12"]),
    "swin_t": (_swin, [" x"]),
    "custom_function": (WithCustomFunction, ["Cube", "x1 "]),
}


@pytest.mark.parametrize("case", UNSUPPORTED)
def test_unsupported_operations_are_listed_with_their_counts(case: str) -> None:
    make, shown = UNSUPPORTED[case]
    with pytest.raises(symcnn.SymcnnError) as raised:
        symcnn.from_torch(make(), (3, 224, 224))
    message = str(raised.value)
    assert "cannot count" in message and "allow_uncounted" in message, message  # the opt-in is named
    for piece in shown:
        assert piece in message, message


@pytest.mark.parametrize("case", UNSUPPORTED)
def test_allowed_uncounted_operations_are_named_in_every_output(case: str) -> None:
    make, _ = UNSUPPORTED[case]
    network = symcnn.from_torch(make(), (3, 224, 224), allow_uncounted=True)
    analysis = network.analyze().at("224x224x3")
    assert any("left uncounted" in warning for warning in analysis.warnings), analysis.warnings
    assert "uncounted" in network.to_notation()
    outputs = {"text": analysis.to_text(), "json": analysis.to_json(), "markdown": analysis.to_markdown(),
               "latex": analysis.to_latex()}
    for name, output in outputs.items():
        assert "left uncounted" in output, name


@pytest.fixture
def user_module(monkeypatch: pytest.MonkeyPatch) -> str:
    """A module of the user's, importable by name, with a model builder that takes keyword arguments."""
    module = types.ModuleType("users_models")

    def small(width: int = 8) -> torch.nn.Module:
        return torch.nn.Sequential(torch.nn.Conv2d(3, width, 3, padding=1), torch.nn.BatchNorm2d(width),
                                   torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                                   torch.nn.Linear(width, 10))

    module.small = small  # type: ignore[attr-defined]
    module.custom = WithCustomFunction  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "users_models", module)
    return "users_models"


def test_cli_from_torch_with_kwargs_and_emitted_notation(user_module: str) -> None:
    params = lambda w: 3 * 9 * w + w + 2 * w + w * 10 + 10  # noqa: E731  (conv, BN scale and shift, linear)
    out = json.loads(run(["--from-torch", f"{user_module}:small", "--at", "32x32x3", "--json"]))
    assert out["totals"]["params"] == params(8)
    out = json.loads(run(["--from-torch", f"{user_module}:small", "--kwargs", '{"width": 16}', "--at", "32x32x3",
                          "--json"]))
    assert out["totals"]["params"] == params(16)
    text = run(["--from-torch", f"{user_module}:small", "--emit-notation"])
    assert symcnn.parse(text).analyze().at("32x32x3").totals["params"] == params(8)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_from_torch_shows_its_steps_on_a_terminal_only(user_module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--from-torch", f"{user_module}:small", "--at", "32x32x3"]
    monkeypatch.setattr("sys.stderr", io.StringIO())
    quiet = run(args)
    assert sys.stderr.getvalue() == ""
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert run(args) == quiet
    shown = terminal.getvalue()
    assert all(step in shown for step in ("importing users_models", "building small", "tracing it with torch.fx"))


@pytest.mark.parametrize("args, message", [
    (["--from-torch", "users_models:custom", "--at", "32x32x3"], "allow-uncounted"),
    (["--from-torch", "users_models:missing"], "missing"),
    (["--from-torch", "users_models"], "MODULE:CALLABLE"),
    (["--from-torch", "users_models:small", "--kwargs", "{width: 3}"], "JSON"),
])
def test_cli_from_torch_errors(user_module: str, args: list[str], message: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_cli_allow_uncounted_names_the_operations(user_module: str) -> None:
    out = run(["--from-torch", f"{user_module}:custom", "--at", "32x32x3", "--allow-uncounted"])
    assert "left uncounted: 1 operation" in out and "Cube" in out
