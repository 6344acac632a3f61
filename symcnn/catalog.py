"""The built-in models: each a file under ``examples/`` and the numbers that make it one member of its family.

A family file (``resnet.cnn``, ``efficientnet.cnn``, …) writes the family's rule once, its
numbers as ``let`` lines; a member is the family with some of those numbers (``efficientnet_b3``
is ``efficientnet.cnn`` with width 1.2 and depth 1.4). The same table says which torchvision
model each member is, at which resolution its weights are used, and how the tests build it:
``tests/test_torchvision.py`` compares every member with the real model, and the README's model
table is generated from it (``python -m symcnn.reference``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Member:
    """A built-in model.

    ``file``: its file under ``examples/`` (without ``.cnn``); ``values``: numbers (or block
    names) given to the file's ``let`` names; ``size``: the reference resolution (the crop size
    of its torchvision weights); ``torchvision``: the torchvision builder it equals (``None`` for
    a model torchvision does not have), called with ``kwargs``; ``meta``: whether its init runs
    on the meta device; ``side_in_eval``: whether torchvision runs its auxiliary heads in inference
    mode (FCN, DeepLab) rather than only in training (GoogLeNet, Inception); ``small``: the
    resolution at which the tests measure its training memory.
    """

    name: str
    file: str
    description: str
    size: int
    values: dict[str, Any] = field(default_factory=dict)
    torchvision: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    meta: bool = True
    side_in_eval: bool = False
    small: int = 64
    channels: int = 3


def _own(name: str, description: str, size: int = 224, **more: Any) -> Member:
    """A model with a file of its own, equal to torchvision's model of the same name."""
    return Member(name, name, description, size, torchvision=name, **more)


MEMBERS: list[Member] = [
    _own("alexnet", "AlexNet (Krizhevsky et al. 2012), torchvision's one-GPU form"),
    *[_own(f"vgg{n}", f"VGG-{n} (Simonyan & Zisserman 2015), configuration {c}") for n, c in
      ((11, "A"), (13, "B"), (16, "D"), (19, "E"))],
    _own("vgg16_bn", "VGG-16 with batch normalization after every convolution"),
    *[_own(f"resnet{n}", f"ResNet-{n} (He et al. 2016), {kind} blocks") for n, kind in
      ((18, "basic"), (34, "basic"), (50, "bottleneck"), (101, "bottleneck"), (152, "bottleneck"))],
    _own("mobilenet_v2", "MobileNetV2 (Sandler et al. 2018), inverted residuals"),
    _own("squeezenet1_0", "SqueezeNet 1.0 (Iandola et al. 2016), fire modules"),
    _own("googlenet", "GoogLeNet / Inception v1 (Szegedy et al. 2015), as torchvision builds it",
         kwargs={"aux_logits": False, "init_weights": False}),
    _own("densenet121", "DenseNet-121 (Huang et al. 2017), growth rate 32"),
    Member("lenet5", "lenet5", "LeNet-5 (LeCun et al. 1998) as commonly implemented", 32, channels=1),
    Member("mobilenet_v1", "mobilenet_v1", "MobileNet (Howard et al. 2017) with its width multiplier a", 224),
]
"""Every built-in model, in the order ``symcnn --list`` shows them."""

BY_NAME = {member.name: member for member in MEMBERS}
