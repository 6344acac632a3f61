"""Notation v2: each addition against counts derived by hand, and each former silent wrong number as an error or a fix."""

from __future__ import annotations

import json

import pytest
from conftest import require_module

import symcnn
from symcnn.cli import run


def totals(text: str, at: str | None = None, **values: object) -> dict[str, object]:
    analysis = symcnn.parse(text).analyze()
    return (analysis.at(at, **values) if at or values else analysis).totals


# Former silent wrong numbers.

def test_a_name_of_the_default_input_is_the_inputs_own() -> None:
    """With no header the input is HxWxC, and a C in the body is that C: conv1-{C*6} on 3 channels has 72 params."""
    assert totals("conv1-{C*6}", C=3)["params"] == (1 * 1 * 3) * 18 + 18 == 72
    assert "params       72 " in run(["conv1-{C*6}", "--set", "C=3"])


def test_an_input_size_gives_the_headers_names_their_values() -> None:
    assert totals("input HxWxC\nconv1-{C*6}", "8x8x3")["params"] == 72
    assert totals("input {32*h}x{32*h}x3\nconv3-8/{h}", "64x64x3")["macs"] == 32 * 32 * 8 * 27  # h = 2


def test_same_padding_is_a_keyword_and_a_name_left_after_numbers_is_an_error() -> None:
    analysis = symcnn.parse("conv3-64[p=same]").analyze().at("5x5x3")
    assert analysis.rows[-1].output == (5, 5, 64) and analysis.is_numeric
    with pytest.raises(symcnn.SymcnnError, match="K has no value at 32x32x3"):
        run(["conv3-8, pool2, fc-K", "--at", "32x32x3"])


def test_sizes_equal_for_every_integer_are_the_same() -> None:
    """floor((H - 1)/2) + 1 = ceil(H/2) for every positive integer H: the concatenation is accepted."""
    analysis = symcnn.parse("input HxHx3\nconv3-8/2, concat(id | gap, upsample{floor((H-1)/2)+1})").analyze()
    assert str(analysis.rows[-1].output[0]) == "ceiling(H/2)"
    with pytest.raises(symcnn.SymcnnError, match="may agree only for some input sizes"):
        symcnn.parse("input HxHx3\nres(conv3-8/2 | pool2, conv1-8)").analyze().rows


def test_json_works_where_the_network_works_only_at_some_sizes() -> None:
    text = "input HxWx3\nres(conv3-8/2 | pool2, conv1-8)"  # the shapes agree for even sizes only
    assert json.loads(run([text, "--at", "8x8x3", "--json"]))["totals"]["params"] == 224 + 32
    with pytest.raises(symcnn.SymcnnError, match="but the shortcut output"):
        run([text, "--at", "8x8x3", "--json", "--formulas"])


@pytest.mark.parametrize("text, values, params", [
    ("input 8x8x16\ndef se(c) = mul(gap, fc-c, relu, fc-{C_in}, sigmoid)\nse({16/4})", {}, (16 * 4 + 4) + (4 * 16 + 16)),
    ("input 8x8x3\ndef dw(c, s) = dwconv3/s, conv1-c\ndw({64*a}, 1)", {"a": "0.5"}, (9 * 3 + 3) + (3 * 32 + 32)),
    ("input 8x8x64\nconv1-8[g={64/8}]", {}, 64 // 8 * 8 + 8),
    ("input 8x8x3\nconv1-{round(64/3)}", {}, 3 * 21 + 21),
    ("input 1x1x10\nfc-{1e3}", {}, 10 * 1000 + 1000),
])
def test_braces_round_and_scientific_numbers_wherever_values_go(text: str, values: dict, params: int) -> None:
    assert totals(text, **values)["params"] == params


def test_an_even_kernel_needs_its_padding() -> None:
    with pytest.raises(symcnn.SymcnnError, match=r"an even kernel \(4\) has no centred padding.*p=0"):
        symcnn.parse("conv4-96/4").analyze().at("224x224x3")
    assert symcnn.parse("conv4-96/4[p=0]").analyze().at("224x224x3").rows[-1].output == (56, 56, 96)


# Additions.

def test_the_channels_entering_a_definition() -> None:
    """SE squeezes max(1, C_in // 4); an inverted residual expands C_in*t without being told C_in."""
    se = "def se = mul(gap, conv1-{max(1, C_in//4)}, relu, conv1-{C_in}, hsigmoid)"
    found = totals(f"input 8x8x16\n{se}\nse")
    assert found["params"] == (16 * 4 + 4) + (4 * 16 + 16)
    block = "def ir(t, c) = res(conv1-{C_in*t}, relu6, dwconv3, relu6, conv1-{c})"
    assert totals(f"input 8x8x24\n{block}\nir(6, 24)")["params"] == (24 * 144 + 144) + (9 * 144 + 144) + (144 * 24 + 24)


def test_a_layer_or_a_block_as_an_argument() -> None:
    """One block definition for MobileNetV3's four: its activation and its SE given as arguments."""
    text = ("input 8x8x16\ndef se = mul(gap, conv1-{C_in//4}, relu, conv1-{C_in}, hsigmoid)\n"
            "def block(act, gate) = conv1-32, act, gate, conv1-16\n"
            "block(relu, id), block(hswish, se)")
    rows = [row.name for row in symcnn.parse(text).analyze().rows]
    assert rows == ["input", "conv1-32", "relu", "id", "conv1-16", "conv1-32", "hswish", "gap", "conv1-8", "relu",
                    "conv1-32", "hsigmoid", "mul", "conv1-16"]


@pytest.mark.parametrize("layer, params, buffers", [
    ("ln", 2 * 8, 0), ("gn4", 2 * 8, 0), ("inorm", 0, 0), ("inorm[affine=true]", 2 * 8, 0), ("scale", 8, 0),
    ("droppath", 0, 0), ("shuffle2", 0, 0), ("bn", 2 * 8, 2 * 8),
])
def test_normalizations_layer_scale_and_friends(layer: str, params: int, buffers: int) -> None:
    found = totals(f"input 4x4x8\n{layer}")
    assert (found["params"], found["buffers"], found["macs"]) == (params, buffers, 0)


def test_channel_split_and_shuffle() -> None:
    """ShuffleNetV2's unit: half the channels through the branch, the other half untouched, then shuffled."""
    text = "input 8x8x116\nsplit(id | conv1-58, bn, relu, dwconv3, bn, conv1-58, bn, relu), shuffle2"
    analysis = symcnn.parse(text).analyze()
    assert analysis.rows[-1].output == (8, 8, 116)
    assert analysis.totals["params"] == (58 * 58 + 58) + 116 + (9 * 58 + 58) + 116 + (58 * 58 + 58) + 116


def test_crop_to_the_first_branch() -> None:
    """U-Net's crop-and-concatenate: the skip cropped to the upsampled branch's size."""
    text = "input 20x20x4\nconcat(pool2, conv3-8[p=0], deconv2-4/2 | crop)"
    analysis = symcnn.parse(text).analyze()
    assert analysis.rows[-1].output == (16, 16, 8)  # (20/2 - 2)*2 = 16, the skip cropped from 20 to 16
    with pytest.raises(symcnn.SymcnnError, match="crop needs a size"):
        symcnn.parse("input 8x8x3\ncrop").analyze().rows


def test_resize_to_a_size_or_to_the_block_entering() -> None:
    text = ("input HxWx8\nconv3-8/2, concat(id | gap, conv1-4, resize{H_in}x{W_in}[mode=bilinear]), "
            "resize{H}x{W}[mode=bilinear]")
    analysis = symcnn.parse(text).analyze().at("33x20x8")
    assert [row.output for row in analysis.rows if row.kind in ("concat", "resize")] == \
        [(17, 10, 4), (17, 10, 12), (33, 20, 12)]


def test_side_outputs_are_counted_apart_and_can_be_switched_off() -> None:
    text = "input 8x8x4\nlet aux = 1\nconv1-4, side[on=aux](gap, fc-10), gap, fc-5"
    analysis = symcnn.parse(text).analyze()
    assert analysis.totals["params"] == (4 * 4 + 4) + (4 * 5 + 5)
    assert analysis.side_totals["params"] == 4 * 10 + 10
    assert symcnn.parse(text).analyze().at(aux=0).side_totals is None
    assert "side outputs" in run([text])


def test_padding_stride_and_channels_written_per_axis() -> None:
    torch = require_module("torch")
    text = ("input 9x8x4\nconv3-8[p=same, d=2], conv1x7-8[p=0x3], conv3-8[s=2x1], deconv3-4/2[op=1], "
            "dwconv3[m=2]")
    analysis = symcnn.parse(text).analyze()
    # deconv: (H - 1)*s - 2p + d(k - 1) + op + 1 = 4*2 + 2 + 1 + 1 = 12 (and 7*2 + 2 + 1 + 1 = 18)
    assert [row.output for row in analysis.rows[1:]] == [(9, 8, 8), (9, 8, 8), (5, 8, 8), (12, 18, 4), (12, 18, 8)]
    net = symcnn.to_torch(analysis)
    assert tuple(net(torch.zeros(1, 4, 9, 8)).shape) == (1, 8, 12, 18)
    assert sum(p.numel() for p in net.parameters()) == analysis.totals["params"]


def test_let_lines_give_defaults_the_user_can_override() -> None:
    text = "input 8x8x3\nlet w = 1, c = {16*w}\nconv1-c"
    assert totals(text)["params"] == 3 * 16 + 16
    assert totals(text, w=2)["params"] == 3 * 32 + 32


@pytest.mark.parametrize("condition, params", [
    ("32*w < 48*w", 3 * 2 + 2),        # decided for every positive w: the first branch
    ("48*w <= 32*w", 3 * 4 + 4),       # decided false: the second
    ("C_in*w != C_in", None),          # depends on w: needs a value
])
def test_comparisons_of_names_are_decided_where_the_sign_is_known(condition: str, params: int | None) -> None:
    network = symcnn.parse(f"input 8x8x3\nif{{{condition}}}(conv1-2 | conv1-4)")
    if params is None:
        with pytest.raises(symcnn.SymcnnError, match="cannot compare"):
            network.analyze().totals
    else:
        assert network.analyze().totals["params"] == params
