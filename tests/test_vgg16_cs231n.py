"""VGG-16 against the CS231n "ConvNet architectures" breakdown and torchvision's published counts."""

from __future__ import annotations

import pytest
import sympy

import symcnn

H, W = sympy.Symbol("H", positive=True, integer=True), sympy.Symbol("W", positive=True, integer=True)


@pytest.fixture(scope="module")
def vgg16() -> symcnn.Analysis:
    return symcnn.load("vgg16").analyze().at("224x224x3")


def costly(analysis: symcnn.Analysis) -> list:
    """The rows CS231n lists: the input, convolutions, pools and fully connected layers."""
    return [r for r in analysis.rows if r.kind in {"input", "conv", "maxpool", "fc"}]


# CS231n, "VGGNet in detail": [shape] memory, weights (weights without biases).
CS231N = [
    ("input", (224, 224, 3), 150_528, 0),
    ("conv3-64", (224, 224, 64), 3_211_264, 1_728),
    ("conv3-64", (224, 224, 64), 3_211_264, 36_864),
    ("pool2", (112, 112, 64), 802_816, 0),
    ("conv3-128", (112, 112, 128), 1_605_632, 73_728),
    ("conv3-128", (112, 112, 128), 1_605_632, 147_456),
    ("pool2", (56, 56, 128), 401_408, 0),
    ("conv3-256", (56, 56, 256), 802_816, 294_912),
    ("conv3-256", (56, 56, 256), 802_816, 589_824),
    ("conv3-256", (56, 56, 256), 802_816, 589_824),
    ("pool2", (28, 28, 256), 200_704, 0),
    ("conv3-512", (28, 28, 512), 401_408, 1_179_648),
    ("conv3-512", (28, 28, 512), 401_408, 2_359_296),
    ("conv3-512", (28, 28, 512), 401_408, 2_359_296),
    ("pool2", (14, 14, 512), 100_352, 0),
    ("conv3-512", (14, 14, 512), 100_352, 2_359_296),
    ("conv3-512", (14, 14, 512), 100_352, 2_359_296),
    ("conv3-512", (14, 14, 512), 100_352, 2_359_296),
    ("pool2", (7, 7, 512), 25_088, 0),
    ("fc-4096", (1, 1, 4096), 4_096, 102_760_448),
    ("fc-4096", (1, 1, 4096), 4_096, 16_777_216),
    ("fc-1000", (1, 1, 1000), 1_000, 4_096_000),
]


def test_every_row_of_the_breakdown(vgg16: symcnn.Analysis) -> None:
    got = [(r.name, tuple(r.output), r.activations, r.weights) for r in costly(vgg16)]
    assert got == CS231N


def test_weights_without_biases_sum_to_the_notes_total(vgg16: symcnn.Analysis) -> None:
    assert sum(row[3] for row in CS231N) == 138_344_128
    assert vgg16.totals["weights"] == 138_344_128


# CS231n's per-block parameter counts, biases included.
BLOCKS = [(1, 2, 38_720), (3, 4, 221_440), (5, 7, 1_475_328), (8, 10, 5_899_776), (11, 13, 7_079_424),
          (14, 14, 102_764_544), (15, 15, 16_781_312), (16, 16, 4_097_000)]


@pytest.mark.parametrize("first, last, params", BLOCKS)
def test_per_block_parameters(vgg16: symcnn.Analysis, first: int, last: int, params: int) -> None:
    layers = [r for r in vgg16.rows if r.kind in {"conv", "fc"}]
    assert sum(r.params for r in layers[first - 1 : last]) == params


def test_totals(vgg16: symcnn.Analysis) -> None:
    t = vgg16.totals
    assert t["params"] == 138_357_544  # CS231n and torchvision
    assert sum(r.activations for r in costly(vgg16)) == 15_237_608  # the sum of the notes' own rows (not their "24M")
    assert t["activations"] == 15_237_608 + 7 * 7 * 512  # and torchvision's adaptive pool to 7x7, which they omit
    assert t["activation_bytes"] == 4 * (15_237_608 + 25_088)
    assert t["macs"] == 15_470_264_320  # torchvision: 15.47 GFLOPS
    assert t["flops"] == 2 * 15_470_264_320
    assert t["buffers"] == 0
    assert all(type(v) is int for v in t.values())


# torchvision's model builders: num_params and GFLOPS (= FlopCounterMode FLOPs / 2).
@pytest.mark.parametrize("name, params, macs", [
    ("vgg11", 132_863_336, 7_609_090_048),
    ("vgg13", 133_047_848, 11_308_466_176),
    ("vgg16", 138_357_544, 15_470_264_320),
    ("vgg19", 143_667_240, 19_632_062_464),
])
def test_torchvision_counts(name: str, params: int, macs: int) -> None:
    totals = symcnn.load(name).analyze().at("224x224x3").totals
    assert (totals["params"], totals["macs"]) == (params, macs)


# The paper's VGG-16 has no adaptive pool: fc1 reads the whole last feature map.
PAPER = symcnn.zoo.source("vgg16").replace("apool7, ", "")


def test_symbolic_params_depend_on_h_and_w_only_through_fc1() -> None:
    analysis = symcnn.parse(PAPER).analyze()
    dependent = [r.name for r in analysis.rows if not isinstance(r.params, int)]
    assert dependent == ["fc-4096"]
    assert analysis.totals["params"] == 2097152 * sympy.floor(H / 32) * sympy.floor(W / 32) + 35597096
    assert symcnn.load("vgg16").analyze().totals["params"] == 138_357_544  # torchvision's: 7x7x512 into fc1


def test_formulas_are_polynomials_when_h_and_w_are_multiples_of_32() -> None:
    analysis = symcnn.parse(PAPER).analyze(divisible=32)
    assert analysis.totals["params"] == 2048 * H * W + 35_597_096
    assert analysis.totals["macs"] == 307_904 * H * W + 20_873_216
    assert sympy.Poly(analysis.totals["activations"], H, W).total_degree() == 2
    at_224 = {k: sympy.sympify(v).xreplace({H: 224, W: 224}) for k, v in analysis.totals.items()}
    assert at_224 == {**symcnn.load("vgg16").analyze().at("224x224x3").totals, "activations": 15_237_608,
                      "activation_bytes": 4 * 15_237_608}  # all but the adaptive pool's output
    # torchvision's: fc1 takes 7*7*512 inputs at every size; the 3x3 convolutions 305,856 per pixel of input
    assert symcnn.load("vgg16").analyze(divisible=32).totals["macs"] == 305_856 * H * W + 123_633_664


def test_divisibility_is_checked_at_evaluation() -> None:
    with pytest.raises(symcnn.SymcnnError, match="not divisible by 32"):
        symcnn.load("vgg16").analyze(divisible=32).at("225x224x3")
