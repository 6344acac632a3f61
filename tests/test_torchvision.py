"""Every built-in model of torchvision's against the real torchvision model: params, buffers, FLOPs, shapes, memory.

At the model's reference resolution (its weights' crop size) and at 224x224, on the meta device
where the model's init allows: parameters, floating buffers, ``FlopCounterMode`` FLOPs = 2 x MACs
(with the auxiliary heads where torchvision runs them in eval mode) and the output shape. At a
small resolution, the real model in training mode: the bytes it saves for backward equal
symcnn's prediction.
"""

from __future__ import annotations

import pytest
from referee import Model, counts, hwc, saved_bytes

import symcnn
from symcnn.memory import memory

MODELS = [
    Model("alexnet", "alexnet", 224),
    *[Model(name, name, 224) for name in ("vgg11", "vgg13", "vgg16", "vgg19", "vgg16_bn")],
    *[Model(name, name, 224) for name in ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")],
    Model("mobilenet_v2", "mobilenet_v2", 224),
    Model("squeezenet1_0", "squeezenet1_0", 224),
    Model("googlenet", "googlenet", 224, {"aux_logits": False, "init_weights": False}),
    Model("densenet121", "densenet121", 224),
]


def analysis(model: Model, size: int, **more: object) -> symcnn.Analysis:
    return symcnn.load(model.name).analyze().at(f"{size}x{size}x3", **{**model.values, **more})


def expected(model: Model, size: int) -> dict[str, object]:
    a = analysis(model, size)
    side = a.side_totals or {"params": 0, "buffers": 0, "macs": 0}
    return {"params": a.totals["params"] + side["params"], "buffers": a.totals["buffers"] + side["buffers"],
            "flops": 2 * (a.totals["macs"] + (side["macs"] if model.side_in_eval else 0)), "output": a.rows[-1].output}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_counts_equal_the_real_torchvision_model(model: Model) -> None:
    net = model.build()
    for size in sorted({model.size, 224}):
        found = counts(net, size)
        found["output"] = hwc(found["output"])
        assert found == expected(model, size), size


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_saved_for_backward_equals_the_real_torchvision_model(model: Model) -> None:
    net = model.build(device="cpu")
    predicted = memory(analysis(model, model.small).at(batch=2), device="cpu").saved_bytes
    assert saved_bytes(net, model.small, batch=2) == predicted
