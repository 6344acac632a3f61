"""Every built-in model of torchvision's against the real torchvision model: params, buffers, FLOPs, shapes, memory.

At the model's reference resolution (its weights' crop size) and at 224x224, on the meta device
where the model's init allows: parameters, floating buffers, ``FlopCounterMode`` FLOPs = 2 x MACs
(with the auxiliary heads where torchvision runs them in eval mode), the output shape and the
output shape of every convolution and linear layer in the order they run. At a small resolution,
the real model in training mode: the bytes it saves for backward equal symcnn's prediction.
"""

from __future__ import annotations

import dataclasses

import pytest
from referee import build, counts, member_id, saved_bytes, torch, torchvision
from unet_reference import UNet

import symcnn
from symcnn.catalog import BY_NAME, MEMBERS, Member
from symcnn.cli import run
from symcnn.memory import memory
from symcnn.scaling import scaled

LAYER_ROWS = {"conv", "dwconv", "deconv", "fc"}

# Models torchvision does not have, checked against a PyTorch module written in the tests from the paper.
REFERENCES = {"unet": UNet}

# Members built with their auxiliary heads on as well (the catalog's members have them off).
AUX = [dataclasses.replace(m, values={**m.values, "aux": 1}, kwargs={**m.kwargs, **m.aux}) for m in MEMBERS if m.aux]
CHECKED = [m for m in MEMBERS if m.torchvision is not None or m.name in REFERENCES] + AUX


def analysis(member: Member, size: int) -> symcnn.Analysis:
    network = symcnn.load(member.name)
    return network.analyze().at(f"{size}x{size}x{member.channels}", **member.values)


def expected(member: Member, size: int) -> dict[str, object]:
    a = analysis(member, size)
    side = a.side_totals or {"params": 0, "buffers": 0, "macs": 0}
    return {"shapes": [r.output for r in a.rows if r.kind in LAYER_ROWS and not r.side for _ in range(int(r.count))],
            "params": a.totals["params"] + side["params"], "buffers": a.totals["buffers"] + side["buffers"],
            "flops": 2 * (a.totals["macs"] + (side["macs"] if member.side_in_eval else 0)),
            "output": a.rows[-1].output}


def model(member: Member, device: str = "meta") -> torch.nn.Module:
    if member.name in REFERENCES:
        torch.manual_seed(0)
        with torch.device(device):
            return REFERENCES[member.name]()
    return build(member, device)


@pytest.mark.parametrize("member", CHECKED, ids=member_id)
def test_counts_equal_the_real_torchvision_model(member: Member) -> None:
    net = model(member)
    # With their auxiliary heads on, Inception and GoogLeNet train only from their reference size up.
    for size in sorted({member.size} if "aux" in member.values else {member.size, 224}):
        found = counts(net, size, member.channels)
        assert found == expected(member, size), size


@pytest.mark.parametrize("member", CHECKED, ids=member_id)
def test_saved_for_backward_equals_the_real_torchvision_model(member: Member) -> None:
    net = model(member, device="cpu")
    predicted = memory(analysis(member, member.small).at(batch=2), device="cpu").saved_bytes
    assert saved_bytes(net, member.small, batch=2, channels=member.channels) == predicted


def _efficientnet(width: float, depth: float) -> torch.nn.Module:
    efficientnet = torchvision().models.efficientnet
    setting, last = efficientnet._efficientnet_conf("efficientnet_b0", width_mult=width, depth_mult=depth)
    return efficientnet.EfficientNet(setting, 0.2, last_channel=last)


def _regnet(**numbers: float) -> torch.nn.Module:
    regnet = torchvision().models.regnet
    return regnet.RegNet(regnet.BlockParams.from_init_params(**numbers))


def _resnext(groups: int, width: int) -> torch.nn.Module:
    resnet = torchvision().models.resnet
    return resnet.ResNet(resnet.Bottleneck, [3, 4, 6, 3], groups=groups, width_per_group=width)


# Members torchvision does not ship: a family file with other numbers against torchvision's own classes
# built with the same numbers.
UNSHIPPED = {
    "efficientnet_w1.3_d1.5": ("efficientnet_b0", {"w": "1.3", "d": "1.5"}, lambda: _efficientnet(1.3, 1.5)),
    "regnet_y_w0_56_d18": ("regnet_y_400mf", {"w_0": 56, "depth": 18},
                           lambda: _regnet(depth=18, w_0=56, w_a=27.89, w_m=2.09, group_width=8, se_ratio=0.25)),
    "resnext50_16x8d": ("resnet50", {"groups": 16, "width_per_group": 8}, lambda: _resnext(16, 8)),
    "mobilenet_v2_0.35": ("mobilenet_v2", {"w": "0.35"},
                          lambda: torchvision().models.mobilenet_v2(weights=None, width_mult=0.35)),
}


@pytest.mark.parametrize("case", UNSHIPPED)
def test_other_numbers_equal_torchvision_built_with_them(case: str) -> None:
    name, values, make = UNSHIPPED[case]
    member = BY_NAME[name]
    member = dataclasses.replace(member, values={**member.values, **values})
    if member.meta:
        with torch.device("meta"):
            net = make()
    else:  # RegNet's init copies tensors, which the meta device cannot
        net = make()
    assert counts(net, 224) == expected(member, 224)


# Width multipliers as torchvision builds them (mobilenet_v2's width_mult, MNASNet's alpha): the file's own
# `width` line must give the same model, and solve, given the model's MACs as a budget, must land on them.
WIDTHS = [("mobilenet_v2", w, lambda w: torchvision().models.mobilenet_v2(weights=None, width_mult=w))
          for w in (0.5, 0.75, 1.0, 1.4)] + \
         [("mnasnet1_0", w, lambda w: torchvision().models.mnasnet.MNASNet(w)) for w in (0.5, 0.75, 1.0, 1.3)]


@pytest.mark.parametrize(("name", "width", "make"), WIDTHS, ids=[f"{n}-{w}" for n, w, _ in WIDTHS])
def test_own_width_equals_torchvision_and_solve_finds_it(name: str, width: float, make: object) -> None:
    with torch.device("meta"):
        net = make(width)  # type: ignore[operator]
    found = counts(net, 224)
    totals = scaled(symcnn.load(name), width=str(width)).analyze().at("224x224x3").totals
    assert (totals["params"], 2 * totals["macs"]) == (found["params"], found["flops"])
    solved = run(["solve", name, "--width", "w", f"macs <= {totals['macs']}"])
    assert f"  macs = {totals['macs']:,}" in solved.split("largest w within the budget", 1)[1].splitlines()[1]
