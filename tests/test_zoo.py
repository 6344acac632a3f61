"""The built-in models against published integers, and their formulas against their numbers."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy

import symcnn
from symcnn import zoo
from symcnn.cli import run

# name, params, buffers (None where no published figure), MACs; all at 224x224x3 with 1000 classes.
# params: torchvision's `num_params` (the weights tables of torchvision 0.29); MACs: FLOPs / 2
# from torch.utils.flop_counter, which torchvision rounds into its "GFLOPS" column; buffers:
# BatchNorm running mean and variance of the torchvision model.
TORCHVISION = [
    ("alexnet", 61_100_840, None, 714_188_480),
    ("vgg11", 132_863_336, None, 7_609_090_048),
    ("vgg13", 133_047_848, None, 11_308_466_176),
    ("vgg16", 138_357_544, None, 15_470_264_320),
    ("vgg19", 143_667_240, None, 19_632_062_464),
    ("vgg16_bn", 138_365_992, 8_448, 15_470_264_320),
    ("resnet18", 11_689_512, 9_600, 1_814_073_344),
    ("resnet34", 21_797_672, None, 3_663_761_408),
    ("resnet50", 25_557_032, 53_120, 4_089_184_256),
    ("resnet101", 44_549_160, None, 7_801_405_440),
    ("resnet152", 60_192_808, None, 11_513_626_624),
    ("mobilenet_v2", 3_504_872, None, 300_774_272),
    ("squeezenet1_0", 1_248_424, None, 818_924_576),
    ("googlenet", 6_624_904, None, 1_498_376_192),  # aux_logits=False: no auxiliary heads
    ("densenet121", 7_978_856, None, 2_834_161_664),
]


@pytest.mark.parametrize(("name", "params", "buffers", "macs"), TORCHVISION, ids=[row[0] for row in TORCHVISION])
def test_torchvision_counts(name: str, params: int, buffers: int | None, macs: int) -> None:
    totals = symcnn.load(name).analyze().at("224x224x3").totals
    assert totals["params"] == params
    assert totals["macs"] == macs
    if buffers is not None:
        assert totals["buffers"] == buffers


def test_resnet50_from_the_command_line() -> None:
    totals = json.loads(run(["resnet50", "--at", "224x224x3", "--json"]))["totals"]
    assert (totals["params"], totals["buffers"], totals["macs"]) == (25_557_032, 53_120, 4_089_184_256)


def test_list_shows_the_zoo() -> None:
    listed = [line.split() for line in run(["--list"]).splitlines()]
    assert {row[0] for row in TORCHVISION} | {"lenet5", "mobilenet_v1"} <= {row[0] for row in listed}
    assert [row[0] for row in listed] == zoo.names()
    by_name = {row[0]: row[1:] for row in listed}
    assert by_name["efficientnet_b3"][:3] == ["300x300x3", "efficientnet.cnn", "EfficientNet-B3"]
    assert by_name["unet"][:2] == ["572x572x1", "unet.cnn"]


# LeNet-5 (LeCun et al. 1998) as commonly implemented. The paper's 60,000 trainable parameters
# are C1 156 + S2 12 + C3 1,516 + S4 32 + C5 48,120 + F6 10,164; the common form connects C3 to
# all six S2 maps, has parameter-free pools and a fully connected output in place of the RBF.
LENET5_PAPER = 156 + 12 + 1_516 + 32 + 48_120 + 10_164


def test_lenet5() -> None:
    assert LENET5_PAPER == 60_000
    full_c3 = (5 * 5 * 6 + 1) * 16 - 1_516
    pools = -(12 + 32)
    output = 84 * 10 + 10
    macs = 28 * 28 * 6 * (5 * 5 * 1) + 10 * 10 * 16 * (5 * 5 * 6) + 120 * (5 * 5 * 16) + 84 * 120 + 10 * 84
    analysis = symcnn.load("lenet5").analyze()
    assert analysis.rows[-1].output == (1, 1, 10)
    assert analysis.totals["params"] == LENET5_PAPER + full_c3 + pools + output == 61_706
    assert analysis.totals["macs"] == macs == 416_520


# MobileNet, Howard et al. 2017, Table 1: (kind, stride, input channels, output channels, input
# size at 224); channels scale with the width multiplier a, sizes with the resolution. The
# second-to-last depthwise row is listed as s2 but keeps the 7x7 size, so it has stride 1.
MOBILENET_TABLE_1 = [
    ("conv", 2, 3, 32, 224),
    ("dw", 1, 32, 32, 112), ("pw", 1, 32, 64, 112),
    ("dw", 2, 64, 64, 112), ("pw", 1, 64, 128, 56),
    ("dw", 1, 128, 128, 56), ("pw", 1, 128, 128, 56),
    ("dw", 2, 128, 128, 56), ("pw", 1, 128, 256, 28),
    ("dw", 1, 256, 256, 28), ("pw", 1, 256, 256, 28),
    ("dw", 2, 256, 256, 28), ("pw", 1, 256, 512, 14),
    *[("dw", 1, 512, 512, 14), ("pw", 1, 512, 512, 14)] * 5,
    ("dw", 2, 512, 512, 14), ("pw", 1, 512, 1024, 7),
    ("dw", 1, 1024, 1024, 7), ("pw", 1, 1024, 1024, 7),
]


def mobilenet_table_1(a: Fraction, resolution: int) -> tuple[int, int]:
    """Params (BN scale and shift included) and MACs summed over Table 1, then the 1000-way fc."""
    params = macs = 0
    for kind, stride, c_in, c_out, size in MOBILENET_TABLE_1:
        c_in = c_in if kind == "conv" else int(a * c_in)
        c_out = int(a * c_out)
        out = size * resolution // 224 // stride
        weights = 3 * 3 * c_out if kind == "dw" else (3 * 3 if kind == "conv" else 1) * c_in * c_out
        params += weights + 2 * c_out
        macs += out * out * weights
    features = int(a * 1024)
    return params + features * 1000 + 1000, macs + features * 1000


# Tables 6 and 7: million mult-adds and million parameters, as printed.
MOBILENET_PAPER = [
    (Fraction(1), 224, 569, "4.2"),
    (Fraction(3, 4), 224, 325, "2.6"),
    (Fraction(1, 2), 224, 149, "1.3"),
    (Fraction(1, 4), 224, 41, "0.5"),
    (Fraction(1), 192, 418, "4.2"),
    (Fraction(1), 160, 290, "4.2"),
    (Fraction(1), 128, 186, "4.2"),
]


@pytest.mark.parametrize(("a", "resolution", "paper_macs", "paper_params"), MOBILENET_PAPER)
def test_mobilenet_v1_against_the_paper(a: Fraction, resolution: int, paper_macs: int, paper_params: str) -> None:
    totals = symcnn.load("mobilenet_v1").analyze().at(f"{resolution}x{resolution}x3", a=a).totals
    assert (totals["params"], totals["macs"]) == mobilenet_table_1(a, resolution)
    # The paper rounds to millions (one decimal for params); 160 is 290.68M, printed as 290.
    assert abs(totals["macs"] - paper_macs * 10**6) < 10**6
    assert abs(totals["params"] - Fraction(paper_params) * 10**6) <= Fraction(10**5, 2)


def test_mobilenet_v1_at_width_1() -> None:
    totals = symcnn.load("mobilenet_v1").analyze().at("224x224x3", a=1).totals
    assert (totals["params"], totals["buffers"], totals["macs"]) == (4_231_976, 21_888, 568_740_352)


def test_mobilenet_v1_width_from_the_command_line() -> None:
    totals = json.loads(run(["mobilenet_v1", "--set", "a=0.75", "--at", "224x224x3", "--json"]))["totals"]
    assert (totals["params"], totals["macs"]) == mobilenet_table_1(Fraction(3, 4), 224)


# lenet5 (32x32x1) and unet (572x572x1) have fixed inputs, no names.
SYMBOLIC = [name for name in zoo.names() if not all(isinstance(d, int) for d in symcnn.load(name).input[:2])]


@pytest.mark.parametrize("name", SYMBOLIC)
@pytest.mark.parametrize(("h", "w"), [(224, 224), (193, 257)])
def test_formulas_agree_with_numbers(name: str, h: int, w: int) -> None:
    network = symcnn.load(name)
    analysis = network.analyze()
    # mobilenet_v1's width multiplier a has no default; mnasnet's a has its member's value.
    settings = {"a": 1} if "a" in network.symbols and "a" not in dict(network.defaults) else {}
    values = {analysis.input[0]: h, analysis.input[1]: w, **{network.symbols[n]: v for n, v in settings.items()}}
    numeric = analysis.at(f"{h}x{w}x3", **settings).totals
    for key, formula in analysis.totals.items():
        assert sympy.sympify(formula).xreplace(values) == numeric[key], key


def test_adaptive_pool_makes_alexnet_size_free() -> None:
    analysis = symcnn.load("alexnet").analyze()
    assert analysis.totals["params"] == 61_100_840
    assert [row.output for row in analysis.rows if row.kind == "apool"] == [(6, 6, 256)]
    assert analysis.at("320x256x3").totals["params"] == 61_100_840


@pytest.mark.parametrize(("text", "message"), [
    ("apool6/2", "apool takes no stride"),
    ("apool6-64", "apool takes no channel count"),
    ("apool", "apool needs an output size"),
    ("apool0", "the output height is 0"),
])
def test_adaptive_pool_errors(text: str, message: str) -> None:
    with pytest.raises(symcnn.SymcnnError, match=message):
        symcnn.parse(text).analyze().rows
