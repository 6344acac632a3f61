"""PyTorch as the referee: the zoo and random networks, built as torch modules, must agree with our counts.

For each network: parameters, floating-point buffers, the output shape, every row's
output shape (forward hooks, in execution order) and FlopCounterMode's FLOPs = 2 x MACs.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import require_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import SymcnnError
from symcnn.analysis import Analysis
from symcnn.layers import REGISTRY

torch = require_module("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402  (after the torch requirement)

from symcnn.torch_export import ROW  # noqa: E402


def hwc(shape: Any) -> tuple[int, ...]:
    """A torch shape (1, n) or (1, C, H, W) as our (H, W, C); fc and flatten outputs are 1x1xn."""
    assert shape[0] == 1
    return (1, 1, shape[1]) if len(shape) == 2 else (shape[2], shape[3], shape[1])


def referee(analysis: Analysis, module: Any = None) -> None:
    """Build the network in torch, run it on zeros, and compare everything torch can count with our analysis."""
    module = symcnn.to_torch(analysis) if module is None else module
    totals = analysis.totals
    assert sum(p.numel() for p in module.parameters()) == totals["params"]
    assert sum(b.numel() for b in module.buffers() if b.is_floating_point()) == totals["buffers"]
    recorded: list[tuple[int, tuple[int, ...]]] = []
    hooks = [m.register_forward_hook(lambda m, args, out: recorded.append((getattr(m, ROW), hwc(out.shape))))
             for m in module.modules() if hasattr(m, ROW)]
    h, w, c = (int(d) for d in analysis.input)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        output = module(torch.zeros(1, c, h, w))
    for hook in hooks:
        hook.remove()
    assert hwc(output.shape) == analysis.rows[-1].output
    # Sorted by row: a branch torch runs before the trunk it hangs off (LR-ASPP's pooled gate) is still one row.
    assert sorted(recorded) == [(row.index, row.output) for row in analysis.rows[1:]]
    assert counter.get_total_flops() == 2 * totals["macs"]


# ---------------------------------------------------------------------------------------------------------------------
# The zoo, each model at its natural size: 224x224x3 with K = 1000 and a = 1, or the input its file declares.

def natural_size(name: str) -> Analysis:
    network = symcnn.load(name)
    values = {key: value for key, value in {"K": 1000, "a": 1}.items() if key in network.symbols}
    declared = not network.sizes
    return network.analyze().at(None if declared else "224x224x3", **values)


@pytest.mark.parametrize("name", symcnn.zoo.names())
def test_zoo_model_agrees_with_torch(name: str) -> None:
    referee(natural_size(name))


# ---------------------------------------------------------------------------------------------------------------------
# Cases that exercise one tricky spot each.

@pytest.mark.parametrize("text, dims, values", [
    ("fc-8, conv1-4, bn, relu", "6x5x3", {}),                              # flat fc output back to 4-D for a conv
    ("gap, fc-8, bn, dropout, fc-3, softmax", "4x4x2", {}),                # BatchNorm1d on a flat tensor
    ("gap, fc-8, res(fc-8, relu), concat(fc-2 | gap | id)", "4x4x3", {}),  # flat branches in combinators
    ("res(conv3-4/2, bn, relu, conv3-4 | conv1-4/2, bn), relu", "9x7x2", {}),
    ("concat(conv1-3 | conv3-2[d=2, p=2] | pool3/1[p=1]), lrn", "7x7x5", {}),
    ("def se(c) = mul(gap, fc-{c/4}, relu, fc-c, sigmoid)\nconv3-8, se(8), mul(dwconv3, hsigmoid)", "8x8x3", {}),
    ("upsample{1/49}, upsample{3/2}", "49x49x2", {}),                     # fractional factors
    ("apool5, apool2x3, gmp", "3x3x2", {}),                                # adaptive pool to more than the input
    ("pool3/2[ceil=true], avgpool3/2[p=1, ceil=true], pool2[ceil=true]", "10x10x2", {}),
    ("deconv3-6/2[p=1, d=2, g=3, bias=false], deconv1-2[p=1]", "5x4x3", {}),
    ("conv3x5-{2*n}/2[g=2], dwconv3x1[p=0], (conv1-{2*n}, relu6) x{r}, flatten", "HxWx4", {"H": 9, "W": 11, "n": 3,
                                                                                           "r": 2}),
])
def test_edge_case_agrees_with_torch(text: str, dims: str, values: dict[str, int]) -> None:
    referee(symcnn.parse(text).analyze().at(dims, **values))


@pytest.mark.parametrize("name", sorted(word for word, kind in REGISTRY.items() if kind.in_place and kind.head is None))
def test_elementwise_layer_agrees_with_torch_on_4d_and_flat_tensors(name: str) -> None:
    referee(symcnn.parse(f"conv3-4, {name}, fc-6, {name}, conv1-2").analyze().at("5x5x3"))


def test_names_without_values_are_refused_before_torch_is_touched() -> None:
    with modules_built() as built, pytest.raises(SymcnnError, match="names without values") as error:
        symcnn.to_torch(symcnn.parse("conv3-64, pool2, fc-K").analyze().at("32x32x3"))
    assert built == []
    assert "give them values" in (error.value.hint or "")


def test_a_symbolic_repeat_is_refused() -> None:
    analysis = symcnn.parse("input 8x8x3\nconv3-4, relu x{n}").analyze()
    assert analysis.is_numeric  # relu costs nothing, so n appears in no total
    with pytest.raises(SymcnnError, match=r"repeat x\{n\} has a symbolic count"):
        symcnn.to_torch(analysis)
    referee(analysis.at(n=3))


def test_importing_symcnn_does_not_import_torch() -> None:
    probe = "import sys, symcnn; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout == "False\n"


def test_missing_torch_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    monkeypatch.delitem(sys.modules, "symcnn.torch_export", raising=False)
    with pytest.raises(SymcnnError, match="needs PyTorch") as error:
        symcnn.to_torch(symcnn.parse("conv3-4").analyze().at("8x8x3"))
    assert error.value.hint == 'pip install "symcnn[torch]"'


@contextlib.contextmanager
def modules_built() -> Iterator[list[type]]:
    """The torch modules constructed inside the block, by type."""
    built: list[type] = []
    original = torch.nn.Module.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(type(self))
        original(self, *args, **kwargs)

    torch.nn.Module.__init__ = counting
    try:
        yield built
    finally:
        torch.nn.Module.__init__ = original


# ---------------------------------------------------------------------------------------------------------------------
# Random networks, written as notation text. The writer tracks the shape roughly so that most networks are valid;
# its independent choices (groups, paddings, branch shapes, SE widths) still make some invalid, and symcnn decides.

ACTIVATIONS = ["relu", "relu6", "lrelu", "sigmoid", "tanh", "gelu", "silu", "swish", "hswish", "hsigmoid", "softmax",
               "dropout", "id"]
DEFINITIONS = {
    "cbr": "def cbr(n) = conv3-{n}[bias=false], bn, relu",
    "se": "def se(c) = mul(gap, fc-{c/4}, relu, fc-c, sigmoid)",
    "basic": "def basic(n, s) = res(conv3-n/s, bn, relu, conv3-n, bn | conv1-n/s, bn), relu",
}


def window(size: int, k: int, s: int, p: int, d: int = 1, ceil: bool = False) -> int:
    """PyTorch's output length for a window (used only to steer the writer; symcnn is the judge)."""
    span = size + 2 * p - d * (k - 1) - 1
    if span < 0:
        return 0
    out = (-(-span // s) if ceil else span // s) + 1
    return out - 1 if ceil and (out - 1) * s >= size + p else out


@dataclass
class Writer:
    draw: st.DrawFn
    h: int
    w: int
    c: int
    values: dict[str, int | str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    budget: int = 24

    def pick(self, options: list[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def number(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def chance(self, p: float) -> bool:
        return self.draw(st.integers(0, 99)) < p * 100

    def channels(self, n: int) -> str:
        """A channel count as a literal, a name given a value with .at(), or an expression of names."""
        style = self.pick(["literal", "literal", "name", "expression"])
        if style == "literal":
            return str(n)
        name = f"n{len(self.values)}"
        if style == "name":
            self.values[name] = n
            return name
        self.values["half"] = "1/2"  # an exact fraction, as --set half=0.5 would give
        self.values[name] = n
        return f"{{2*{name}*half}}"

    def kernel(self, limit: int) -> tuple[int, int, str]:
        kh = self.number(1, max(1, min(5, limit)))
        kw = kh if self.chance(0.8) else self.number(1, 3)
        return kh, kw, str(kh) if kh == kw else f"{kh}x{kw}"

    def groups(self) -> int:
        """A group count that mostly divides the channels; a few do not, and symcnn must refuse those."""
        fits = [g for g in (2, 4) if self.c % g == 0]
        return self.pick([1, 1, 1, *fits, *fits]) if self.chance(0.9) else self.pick([2, 3, 4])

    def spatial(self, kh: int, kw: int, s: int, p: tuple[int, int], d: int = 1, ceil: bool = False) -> None:
        self.h = window(self.h, kh, s, p[0], d, ceil)
        self.w = window(self.w, kw, s, p[1], d, ceil)

    def options(self, pairs: list[tuple[str, Any]]) -> str:
        shown = [f"{name}={str(value).lower()}" for name, value in pairs]
        return f"[{', '.join(shown)}]" if shown else ""

    # layers ---------------------------------------------------------------------------------------------------------
    def conv(self) -> str:
        kh, kw, size = self.kernel(min(self.h, self.w) + 2)
        g = self.groups()
        n = g * self.number(1, 16 // g)
        s = self.pick([1, 1, 2, 3])
        opts: list[tuple[str, Any]] = []
        p = (kh // 2, kw // 2)
        if self.chance(0.3):
            p = (self.number(0, 2),) * 2
            opts.append(("p", p[0]))
        d = self.pick([1, 1, 1, 2])
        if d > 1:
            opts.append(("d", d))
        if g > 1:
            opts.append(("g", g))
        if self.chance(0.2):
            opts.append(("bias", False))
        self.spatial(kh, kw, s, p, d)
        self.c = n
        return f"conv{size}-{self.channels(n)}" + (f"/{s}" if s > 1 else "") + self.options(opts)

    def dwconv(self) -> str:
        kh, kw, size = self.kernel(min(self.h, self.w) + 2)
        s = self.pick([1, 1, 2])
        p = (kh // 2, kw // 2)
        opts: list[tuple[str, Any]] = []
        if self.chance(0.3):
            p = (self.number(0, 2),) * 2
            opts.append(("p", p[0]))
        self.spatial(kh, kw, s, p)
        return f"dwconv{size}" + (f"/{s}" if s > 1 else "") + self.options(opts)

    def deconv(self) -> str:
        kh, kw, size = self.kernel(4)
        g = self.groups()
        n = g * self.number(1, 16 // g)
        s = self.pick([1, 2, 3]) if max(self.h, self.w) <= 16 else 1
        p, d = self.pick([0, 0, 1]), self.pick([1, 1, 2])
        opts = [(name, v) for name, v, default in (("p", p, 0), ("d", d, 1), ("g", g, 1)) if v != default]
        self.h, self.w = ((x - 1) * s - 2 * p + d * (k - 1) + 1 for x, k in ((self.h, kh), (self.w, kw)))
        self.c = n
        return f"deconv{size}-{self.channels(n)}/{s}" + self.options(opts)

    def pool(self, op: str) -> str:
        kh, kw, size = self.kernel(min(self.h, self.w, 3))
        s = self.pick([None, None, 1, 2, 3])
        p = self.pick([0, 0, 0, 1]) if min(kh, kw) > 1 or self.chance(0.1) else 0
        ceil = self.chance(0.3)
        opts = [(name, v) for name, v, default in (("p", p, 0), ("ceil", ceil, False)) if v != default]
        self.h = window(self.h, kh, s or kh, p, 1, ceil)
        self.w = window(self.w, kw, s or kw, p, 1, ceil)
        head = self.pick(["pool", "maxpool"] if op == "max" else ["avgpool"])
        return f"{head}{size}" + (f"/{s}" if s else "") + self.options(opts)

    def squash(self) -> str:
        kind = self.pick(["gap", "gmp", "apool"])
        if kind != "apool":
            self.h = self.w = 1
            return kind
        self.h = self.w = k = self.number(1, 3)
        return f"apool{k}"

    def fc(self) -> str:
        n = self.number(1, 16)
        self.h, self.w, self.c = 1, 1, n
        return f"fc-{self.channels(n)}"

    def upsample(self) -> str:
        f = self.pick([1, 2, 3]) if max(self.h, self.w) <= 16 else 1
        self.h, self.w = self.h * f, self.w * f
        return f"upsample{f}"

    def flatten(self) -> str:
        if self.h * self.w * self.c > 1024:
            return self.squash()
        self.h, self.w, self.c = 1, 1, self.h * self.w * self.c
        return "flatten"

    def widen(self) -> str:
        """A branch item that keeps the spatial size, as in an Inception module."""
        kind = self.pick(["conv", "conv", "pool", "keeping"])
        if kind == "conv":
            self.c = self.number(1, 8)
            return f"conv{self.pick([1, 3, 5])}-{self.channels(self.c)}"
        return "pool3/1[p=1]" if kind == "pool" else self.keeping()

    def layer(self) -> str:
        self.budget -= 1
        kind = self.pick(["conv", "conv", "conv", "dwconv", "deconv", "maxpool", "avgpool", "squash", "fc", "upsample",
                          "flatten", "bn", "bn", "lrn", "activation", "activation"])
        if kind in {"bn", "lrn"}:
            return kind
        if kind == "activation":
            return self.pick(ACTIVATIONS)
        if kind.endswith("pool"):
            return self.pool(kind[:3])
        return getattr(self, kind)()

    # shape-keeping items, for residual bodies, gates and symbolic repeats --------------------------------------------
    def keeping(self) -> str:
        self.budget -= 1
        kind = self.pick(["conv", "dwconv", "bn", "activation", "se", "cbr"])
        if kind == "conv":
            k = self.pick([1, 3, 5])
            return f"conv{k}-{self.channels(self.c)}" + (f"[d=2, p={k - 1}]" if self.chance(0.3) else "")
        if kind == "dwconv":
            return f"dwconv{self.pick([3, 5])}"
        if kind == "bn":
            return "bn"
        if kind == "activation":
            return self.pick(ACTIVATIONS)
        if kind == "se":
            return self.se()
        self.used.add(kind)
        return f"cbr({self.c})"

    def se(self) -> str:
        """A squeeze-and-excitation gate: valid when 4 divides the channels, so mostly called on those."""
        if self.c % 4 and self.chance(0.8):
            return "bn"
        self.used.add("se")
        return f"se({self.c})"

    # combinators -----------------------------------------------------------------------------------------------------
    def branch(self, depth: int) -> tuple[str, tuple[int, int, int]]:
        saved = (self.h, self.w, self.c)
        text = ", ".join(self.items(depth + 1))
        out = (self.h, self.w, self.c)
        self.h, self.w, self.c = saved
        return text, out

    def widened(self) -> tuple[str, tuple[int, int, int]]:
        saved = self.c
        text = ", ".join(self.widen() for _ in range(self.number(1, 2)))
        out = (self.h, self.w, self.c)
        self.c = saved
        return text, out

    def combinator(self, depth: int) -> str:
        self.budget -= 1
        kind = self.pick(["res", "res_shortcut", "basic", "concat", "se", "gate", "repeat", "named_repeat"])
        if kind == "res":
            body = ", ".join(self.keeping() for _ in range(self.number(1, 3)))
            return f"res({body})"
        if kind == "res_shortcut":
            main, out = self.branch(depth)
            stride = next((s for s in (1, 2, 3) if (window(self.h, 1, s, 0), window(self.w, 1, s, 0)) == out[:2]), 0)
            shortcut = f"conv1-{self.channels(out[2])}/{stride}" if stride else \
                f"apool{out[0]}x{out[1]}, conv1-{self.channels(out[2])}"
            self.h, self.w, self.c = out
            return f"res({main} | {shortcut}, bn)"
        if kind == "basic":
            self.used.add(kind)
            s = self.pick([1, 2])
            n = self.number(1, 16)
            self.spatial(3, 3, s, (1, 1))
            self.c = n
            return f"basic({n}, {s})"
        if kind == "concat":
            branches = []
            channels = 0
            for _ in range(self.number(2, 3)):
                text, out = self.branch(depth) if self.chance(0.2) else self.widened()
                branches.append(text)
                channels += out[2]
            self.h, self.w, self.c = out[0], out[1], channels
            return f"concat({' | '.join(branches)})"
        if kind == "se":
            return self.se()
        if kind == "gate":
            return f"mul({self.pick(['conv1-' + str(self.c), 'dwconv3', 'gap, fc-' + str(self.c)])}, " \
                   f"{self.pick(['sigmoid', 'hsigmoid'])})"
        body = self.keeping() if self.chance(0.5) else f"({self.keeping()}, {self.keeping()})"
        if kind == "repeat":
            return f"{body} x{self.number(1, 3)}"
        self.values["r"] = self.number(1, 3)
        return f"{body} x{{r}}"

    def items(self, depth: int) -> list[str]:
        found = []
        for _ in range(self.number(3, 8) if depth == 0 else self.number(1, 3)):
            if self.budget <= 0:
                break
            found.append(self.combinator(depth) if depth < 2 and self.chance(0.35) else self.layer())
        return found or [self.layer()]


@dataclass(frozen=True)
class Case:
    text: str
    dims: str | None
    values: dict[str, int | str]


@st.composite
def random_networks(draw: st.DrawFn) -> Case:
    h, w, c = draw(st.integers(1, 32)), draw(st.integers(1, 32)), draw(st.integers(1, 8))
    writer = Writer(draw, h, w, c)
    body = ", ".join(writer.items(0))
    header, dims = draw(st.sampled_from([(f"input {h}x{w}x{c}", None), (f"input HxWx{c}", f"{h}x{w}x{c}"),
                                         ("", f"{h}x{w}x{c}")]))
    definitions = [DEFINITIONS[name] for name in sorted(writer.used)]
    text = "\n".join(line for line in [header, *definitions, body] if line)
    return Case(text, dims, writer.values)


def judge(case: Case) -> Analysis | None:
    """The analysis if symcnn accepts the network (and torch then agrees), None if symcnn rejects it."""
    analysis = None
    with modules_built() as built:
        try:
            analysis = symcnn.parse(case.text).analyze().at(case.dims, **case.values)
            module = symcnn.to_torch(analysis)
        except SymcnnError:
            assert analysis is None, "symcnn accepted the network, but to_torch refused it"
            assert built == [], "a torch module was built for a network symcnn rejects"
            return None
    referee(analysis, module)
    return analysis


RANDOM_EXAMPLES = 500
KINDS = {"conv", "dwconv", "deconv", "maxpool", "avgpool", "gap", "gmp", "apool", "bn", "lrn", "fc", "flatten",
         "upsample", "add", "concat", "mul"}
FEATURES = {"ceil": r"ceil=true", "dilation": r"d=2", "groups": r"g=[24]", "no bias": r"bias=false", "names": r"-n\d",
            "fractions": r"half", "symbolic repeat": r"x\{r\}", "definitions": r"^def ", "shortcut": r"\| conv1"}


def test_random_networks_agree_with_torch() -> None:
    outcomes: Counter[str] = Counter()
    kinds: set[str] = set()
    features: set[str] = set()

    @settings(max_examples=RANDOM_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(random_networks())
    def check(case: Case) -> None:
        analysis = judge(case)
        outcomes["agreed" if analysis else "rejected"] += 1
        if analysis is not None:
            kinds.update(row.kind for row in analysis.rows)
            features.update(name for name, pattern in FEATURES.items() if re.search(pattern, case.text, re.M))

    check()
    print(f"random networks: {outcomes['agreed']} agreed with torch, {outcomes['rejected']} rejected by symcnn")
    assert outcomes["agreed"] >= RANDOM_EXAMPLES // 2 and outcomes["rejected"] >= RANDOM_EXAMPLES // 50, outcomes
    assert KINDS <= kinds, KINDS - kinds
    assert set(FEATURES) <= features, set(FEATURES) - features
