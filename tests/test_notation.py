"""Each construct of the notation against counts derived by hand from the README's formulas."""

from __future__ import annotations

import pytest
import sympy

import symcnn

# text, input, values, (params, buffers, macs, activations, output shape). Activations include the input.
CASES = [
    # conv: k*k*C*n + n; MACs H'W'n(kkC/g); padding floor(k/2)
    ("conv3-64", "32x32x3", {}, (1_792, 0, 1_769_472, 3_072 + 65_536, (32, 32, 64))),
    ("conv3x5-8", "10x10x2", {}, (248, 0, 24_000, 200 + 800, (10, 10, 8))),
    ("conv3-8/2", "9x9x1", {}, (80, 0, 1_800, 81 + 200, (5, 5, 8))),
    ("conv3-16[g=4]", "8x8x8", {}, (304, 0, 18_432, 512 + 1_024, (8, 8, 16))),
    ("conv3-4[d=2]", "10x10x1", {}, (40, 0, 2_304, 100 + 256, (8, 8, 4))),
    ("conv3-4[p=0, bias=false]", "5x5x2", {}, (72, 0, 648, 50 + 36, (3, 3, 4))),
    ("conv3-4[stride=2, pad=0, dilation=1, groups=1]", "7x7x1", {}, (40, 0, 324, 49 + 36, (3, 3, 4))),
    ("dwconv3", "8x8x4", {}, (40, 0, 2_304, 256 + 256, (8, 8, 4))),
    ("dwconv3/2", "8x8x4", {}, (40, 0, 576, 256 + 64, (4, 4, 4))),
    # deconv: out = (H-1)s - 2p + d(k-1) + 1; MACs H*W*C*(k*k*n/g)
    ("deconv4-8/2[p=1]", "4x4x16", {}, (2_056, 0, 32_768, 256 + 512, (8, 8, 8))),
    ("deconv2-3/2", "3x3x2", {}, (27, 0, 216, 18 + 108, (6, 6, 3))),
    # fc on the flattened input
    ("fc-10", "4x4x2", {}, (330, 0, 320, 32 + 10, (1, 1, 10))),
    ("fc10", "4x4x2", {}, (330, 0, 320, 32 + 10, (1, 1, 10))),
    ("fc-10[bias=false]", "4x4x2", {}, (320, 0, 320, 32 + 10, (1, 1, 10))),
    # pools: floor rounding; ceil with PyTorch's rule that a window may not start in the right padding
    ("pool2", "7x7x3", {}, (0, 0, 0, 147 + 27, (3, 3, 3))),
    ("maxpool3/2[p=1]", "8x8x1", {}, (0, 0, 0, 64 + 16, (4, 4, 1))),
    ("pool3/2[ceil=true]", "8x8x1", {}, (0, 0, 0, 64 + 16, (4, 4, 1))),
    ("pool3/2", "8x8x1", {}, (0, 0, 0, 64 + 9, (3, 3, 1))),
    ("pool2/2[p=1, ceil=true]", "5x5x1", {}, (0, 0, 0, 25 + 9, (3, 3, 1))),
    ("avgpool2", "4x4x3", {}, (0, 0, 0, 48 + 12, (2, 2, 3))),
    ("gap", "7x7x512", {}, (0, 0, 0, 25_088 + 512, (1, 1, 512))),
    ("gmp", "7x7x5", {}, (0, 0, 0, 245 + 5, (1, 1, 5))),
    # normalisation: BN has 2C params and 2C buffers
    ("bn", "4x4x8", {}, (16, 16, 0, 128 + 128, (4, 4, 8))),
    ("lrn", "4x4x8", {}, (0, 0, 0, 128 + 128, (4, 4, 8))),
    # in place: no new tensor
    ("relu, relu6, lrelu, sigmoid, tanh, gelu, silu, swish, hswish, hsigmoid, softmax, dropout, id", "4x4x8", {},
     (0, 0, 0, 128, (4, 4, 8))),
    ("flatten", "2x2x3", {}, (0, 0, 0, 12, (1, 1, 12))),
    ("upsample2", "3x3x2", {}, (0, 0, 0, 18 + 72, (6, 6, 2))),
    # combinators
    ("res(conv3-4, relu)", "4x4x4", {}, (148, 0, 2_304, 64 + 64 + 64, (4, 4, 4))),
    ("res(conv3-8/2 | conv1-8/2)", "4x4x4", {}, (296 + 40, 0, 1_152 + 128, 64 + 32 + 32 + 32, (2, 2, 8))),
    ("concat(id | conv1-4)", "2x2x3", {}, (16, 0, 48, 12 + 16 + 28, (2, 2, 7))),
    ("mul(gap, fc-2, relu, fc-4, sigmoid)", "3x3x4", {}, (22, 0, 16, 36 + 4 + 2 + 4 + 36, (3, 3, 4))),
    ("mul(conv1-4, sigmoid)", "2x2x4", {}, (20, 0, 64, 16 + 16 + 16, (2, 2, 4))),
    ("(conv3-4, relu) x2, pool2", "4x4x4", {}, (296, 0, 4_608, 64 + 64 + 64 + 16, (2, 2, 4))),
    ("(conv3-4, relu) x{n}", "4x4x4", {"n": 3}, (444, 0, 6_912, 64 + 3 * 64, (4, 4, 4))),
    ("def b(c) = conv3-{c}, bn\nb(4) x2", "4x4x2", {}, (76 + 8 + 148 + 8, 16, 1_152 + 2_304, 32 + 4 * 64, (4, 4, 4))),
    ("def b(c, k) = conv{k}-{c}\nb(4, 1), b(2, 3)", "2x2x1", {}, (8 + 74, 0, 16 + 288, 4 + 16 + 8, (2, 2, 2))),
    # values: names, braced expressions, decimals read exactly
    ("fc-K", "1x1x3", {"K": 10}, (40, 0, 30, 3 + 10, (1, 1, 10))),
    ("conv1-c", "1x1x1", {"c": 5}, (10, 0, 5, 1 + 5, (1, 1, 5))),
    ("conv1-{64*w}", "1x1x1", {"w": "1/2"}, (64, 0, 32, 1 + 32, (1, 1, 32))),
    ("conv1-{0.75*8}", "1x1x1", {}, (12, 0, 6, 1 + 6, (1, 1, 6))),
    ("conv1-{2^3 + 10//3 - 1}", "1x1x1", {}, (20, 0, 10, 11, (1, 1, 10))),
    ("conv1-{2**2 * (1 + 1)}", "1x1x1", {}, (16, 0, 8, 9, (1, 1, 8))),
    ("conv1-{max(3, 5)}, conv1-{min(2, 4)}", "1x1x1", {}, (10 + 12, 0, 15, 1 + 5 + 2, (1, 1, 2))),
    ("conv1-{ceil(7/2)}, conv1-{floor(7/2)}", "1x1x1", {}, (8 + 15, 0, 16, 1 + 4 + 3, (1, 1, 3))),
    ("conv1-{-(-4)}", "1x1x1", {}, (8, 0, 4, 5, (1, 1, 4))),
    ("conv{k}-4/{s}", "5x5x1", {"k": 3, "s": 2}, (40, 0, 324, 25 + 36, (3, 3, 4))),
    # layout: case, comments, newlines and commas
    ("CONV3-4, RELU, FC-2  # the VGG paper's spelling", "2x2x1", {}, (40 + 34, 0, 144 + 32, 4 + 16 + 2, (1, 1, 2))),
    ("# a comment\n\nconv1-2,\n\n  relu ,, \n# another\nfc-1,", "1x1x1", {}, (4 + 3, 0, 2 + 2, 1 + 2 + 1, (1, 1, 1))),
    ("input 4x4x1\nconv3-2", None, {}, (20, 0, 288, 16 + 32, (4, 4, 2))),
]


@pytest.mark.parametrize("text, at, values, expected", CASES)
def test_counts(text: str, at: str | None, values: dict, expected: tuple) -> None:
    analysis = symcnn.parse(text).analyze()
    if at or values:
        analysis = analysis.at(at, **values)
    t = analysis.totals
    got = (t["params"], t["buffers"], t["macs"], t["activations"], tuple(analysis.rows[-1].output))
    assert got == expected
    assert all(type(v) is int for v in t.values())


@pytest.mark.parametrize("text, at, values, expected", CASES)
def test_the_symbolic_analysis_evaluates_to_the_same_numbers(text: str, at: str | None, values: dict,
                                                              expected: tuple) -> None:
    network = symcnn.parse(text)
    numeric = network.analyze().at(at, **values)
    symbolic = network.analyze().at(f"HxWx{numeric.input[2]}") if at else network.analyze()
    bind = {network.symbols[name]: numeric.values[name] for name in values}
    bind.update({d: v for d, v in zip(symbolic.input, numeric.input) if getattr(d, "is_Symbol", False)})
    for key, formula in symbolic.totals.items():
        assert sympy.sympify(formula).xreplace(bind) == numeric.totals[key], key


def test_a_symbolic_repeat_multiplies_its_costs() -> None:
    analysis = symcnn.parse("input 4x4x4\n(conv3-4, relu) x{n}").analyze()
    n = analysis.network.symbols["n"]
    assert analysis.totals["params"] == 148 * n
    assert [r.count for r in analysis.rows] == [1, n, n]


def test_rows_appear_once_per_instance_in_execution_order() -> None:
    text = "def blk(c) = conv1-{c}, relu\nres(blk(2), conv1-4 | conv1-4), concat(id | pool1), mul(gap)"
    rows = symcnn.parse(text).analyze().at("2x2x3").rows
    assert [r.name for r in rows] == ["input", "conv1-2", "relu", "conv1-4", "conv1-4", "add", "id", "pool1",
                                      "concat", "gap", "mul"]
    assert [r.index for r in rows] == list(range(len(rows)))


def test_literal_and_header_inputs() -> None:
    network = symcnn.parse("input {32*h}x{32*h}x3\nconv3-8/2")
    assert network.analyze().rows[-1].output[0] == 16 * network.symbols["h"]
    assert network.analyze().at(h=7).rows[-1].output == (112, 112, 8)


def test_values_must_be_exact() -> None:
    with pytest.raises(symcnn.SymcnnError, match="exact"):
        symcnn.parse("fc-K").analyze().at("1x1x1", K=2.5)
