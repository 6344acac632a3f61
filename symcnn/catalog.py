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
    mode (FCN, DeepLab) rather than only in training (GoogLeNet, Inception); ``aux``: the
    torchvision arguments that turn those heads on (the file's ``aux`` set to 1), empty for a
    model without them; ``small``: the resolution at which the tests measure its training memory.
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
    aux: dict[str, Any] = field(default_factory=dict)
    small: int = 64
    channels: int = 3


def _tv(name: str, file: str, description: str, size: int = 224, **more: Any) -> Member:
    """A member of a family file, equal to torchvision's model of the same name."""
    return Member(name, file, description, size, torchvision=name, **more)


def _seg(name: str, file: str, description: str, **more: Any) -> Member:
    """A segmentation model: 520x520 (its weights resize to 520 and crop nothing), aux heads run in inference mode too."""
    return Member(name, file, description, 520, torchvision=f"segmentation.{name}",
                  kwargs={"weights_backbone": None}, side_in_eval=True, aux={"aux_loss": True}, **more)


def _regnet(name: str, title: str, depth: int, w0: int, wa: str, wm: str, g: int, se: str, size: int = 224,
            note: str = "") -> Member:
    values = {"depth": depth, "w_0": w0, "w_a": wa, "w_m": wm, "group_width": g, "se_ratio": se}
    described = f"{title} (Radosavovic et al. 2020{note}), d {depth}, w0 {w0}, wa {wa}, wm {wm}, g {g}"
    return _tv(name, "regnet", described + (", SE 0.25" if se != "0" else ", no SE"), size, values=values, meta=False)


_VGG = {"11": (1, 1, 2, 2, 2, "A"), "13": (2, 2, 2, 2, 2, "B"), "16": (2, 2, 3, 3, 3, "D"), "19": (2, 2, 4, 4, 4, "E")}
_RESNET = [("resnet18", "ResNet-18 (He et al. 2016), basic blocks 2-2-2-2", {"block": "basic", "n1": 2, "n2": 2,
                                                                              "n3": 2, "n4": 2}),
           ("resnet34", "ResNet-34 (He et al. 2016), basic blocks 3-4-6-3", {"block": "basic"}),
           ("resnet50", "ResNet-50 (He et al. 2016), bottlenecks 3-4-6-3", {}),
           ("resnet101", "ResNet-101 (He et al. 2016), bottlenecks 3-4-23-3", {"n3": 23}),
           ("resnet152", "ResNet-152 (He et al. 2016), bottlenecks 3-8-36-3", {"n2": 8, "n3": 36}),
           ("resnext50_32x4d", "ResNeXt-50 32x4d (Xie et al. 2017), 32 groups of width 4",
            {"groups": 32, "width_per_group": 4}),
           ("resnext101_32x8d", "ResNeXt-101 32x8d (Xie et al. 2017), 32 groups of width 8",
            {"n3": 23, "groups": 32, "width_per_group": 8}),
           ("resnext101_64x4d", "ResNeXt-101 64x4d (Xie et al. 2017), 64 groups of width 4",
            {"n3": 23, "groups": 64, "width_per_group": 4}),
           ("wide_resnet50_2", "Wide ResNet-50-2 (Zagoruyko & Komodakis 2016), bottleneck width doubled",
            {"width_per_group": 128}),
           ("wide_resnet101_2", "Wide ResNet-101-2 (Zagoruyko & Komodakis 2016), bottleneck width doubled",
            {"n3": 23, "width_per_group": 128})]
_EFFICIENTNET = [("b0", "1.0", "1.0", 224), ("b1", "1.0", "1.1", 240), ("b2", "1.1", "1.2", 288),
                 ("b3", "1.2", "1.4", 300), ("b4", "1.4", "1.8", 380), ("b5", "1.6", "2.2", 456),
                 ("b6", "1.8", "2.6", 528), ("b7", "2.0", "3.1", 600)]
_V2 = {"c0": (24, 32), "c1": (24, 32), "c2": (48, 64), "c3": (80, 96), "c4": (160, 192), "c5": (176, 224),
       "c6": (304, 384), "c7": (512, 640), "n1": (3, 4), "n2": (5, 7), "n3": (5, 7), "n4": (7, 10), "n5": (14, 19),
       "n6": (18, 25), "n7": (5, 7)}
_CONVNEXT = [("tiny", "T", 96, 9, "0.1"), ("small", "S", 96, 27, "0.4"), ("base", "B", 128, 27, "0.5"),
             ("large", "L", 192, 27, "0.5")]
_SHUFFLENET = [("x0_5", "0.5x", {"c2": 48, "c3": 96, "c4": 192}), ("x1_0", "1x", {}),
               ("x1_5", "1.5x", {"c2": 176, "c3": 352, "c4": 704}),
               ("x2_0", "2x", {"c2": 244, "c3": 488, "c4": 976, "c5": 2048})]

MEMBERS: list[Member] = [
    Member("lenet5", "lenet5", "LeNet-5 (LeCun et al. 1998) as commonly implemented", 32, channels=1),
    _tv("alexnet", "alexnet", "AlexNet (Krizhevsky et al. 2012), torchvision's one-GPU form"),
    *[_tv(f"vgg{n}{bn}", "vgg", f"VGG-{n} (Simonyan & Zisserman 2015), configuration {c[5]}"
          + (", batch normalization" if bn else ""),
          values={**dict(zip(("n1", "n2", "n3", "n4", "n5"), c[:5])), **({"batchnorm": 1} if bn else {})})
      for bn in ("", "_bn") for n, c in _VGG.items()],
    *[_tv(name, "resnet", described, values=values) for name, described, values in _RESNET],
    _tv("squeezenet1_0", "squeezenet", "SqueezeNet 1.0 (Iandola et al. 2016), fire modules"),
    _tv("squeezenet1_1", "squeezenet", "SqueezeNet 1.1 (Iandola et al.'s repository), smaller stem, earlier pools",
        values={"version": "1.1"}),
    _tv("densenet121", "densenet", "DenseNet-121 (Huang et al. 2017), growth rate 32, blocks 6-12-24-16"),
    _tv("densenet161", "densenet", "DenseNet-161 (Huang et al. 2017), growth rate 48, blocks 6-12-36-24",
        values={"k": 48, "b3": 36, "b4": 24}),
    _tv("densenet169", "densenet", "DenseNet-169 (Huang et al. 2017), growth rate 32, blocks 6-12-32-32",
        values={"b3": 32, "b4": 32}),
    _tv("densenet201", "densenet", "DenseNet-201 (Huang et al. 2017), growth rate 32, blocks 6-12-48-32",
        values={"b3": 48, "b4": 32}),
    _tv("googlenet", "googlenet", "GoogLeNet / Inception v1 (Szegedy et al. 2015); aux=1: its two auxiliary heads",
        kwargs={"aux_logits": False, "init_weights": False}, aux={"aux_logits": True}),
    _tv("inception_v3", "inception_v3", "Inception v3 (Szegedy et al. 2016); aux=1: its auxiliary head", 299,
        kwargs={"aux_logits": False, "init_weights": False}, aux={"aux_logits": True}, small=299),
    Member("mobilenet_v1", "mobilenet_v1", "MobileNet (Howard et al. 2017) with its width multiplier a", 224),
    _tv("mobilenet_v2", "mobilenet_v2", "MobileNetV2 (Sandler et al. 2018), width multiplier w"),
    _tv("mobilenet_v3_large", "mobilenet_v3", "MobileNetV3-Large (Howard et al. 2019), Table 1"),
    _tv("mobilenet_v3_small", "mobilenet_v3", "MobileNetV3-Small (Howard et al. 2019), Table 2",
        values={"variant": "small"}),
    *[_tv(f"mnasnet{a.replace('.', '_')}", "mnasnet", f"MnasNet-B1 (Tan et al. 2019), depth multiplier {a}",
          values={"a": a}) for a in ("0.5", "0.75", "1.0", "1.3")],
    *[_tv(f"shufflenet_v2_{name}", "shufflenet_v2", f"ShuffleNet V2 {title} (Ma et al. 2018)", values=values)
      for name, title, values in _SHUFFLENET],
    *[_tv(f"efficientnet_{b}", "efficientnet", f"EfficientNet-{b.upper()} (Tan & Le 2019), width {w}, depth {d}",
          size, values={"w": w, "d": d}) for b, w, d, size in _EFFICIENTNET],
    _tv("efficientnet_v2_s", "efficientnet_v2", "EfficientNetV2-S (Tan & Le 2021), Table 4", 384),
    *[_tv(f"efficientnet_v2_{m}", "efficientnet_v2", f"EfficientNetV2-{m.upper()} (Tan & Le 2021), torchvision's "
          "stage table", 480, values={k: v[i] for k, v in _V2.items()}) for i, m in enumerate(("m", "l"))],
    _regnet("regnet_x_400mf", "RegNetX-400MF", 22, 24, "24.48", "2.54", 16, "0"),
    _regnet("regnet_x_800mf", "RegNetX-800MF", 16, 56, "35.73", "2.28", 16, "0"),
    _regnet("regnet_x_1_6gf", "RegNetX-1.6GF", 18, 80, "34.01", "2.25", 24, "0"),
    _regnet("regnet_x_3_2gf", "RegNetX-3.2GF", 25, 88, "26.31", "2.25", 48, "0"),
    _regnet("regnet_x_8gf", "RegNetX-8.0GF", 23, 80, "49.56", "2.88", 120, "0"),
    _regnet("regnet_x_16gf", "RegNetX-16GF", 22, 216, "55.59", "2.1", 128, "0"),
    _regnet("regnet_x_32gf", "RegNetX-32GF", 23, 320, "69.86", "2.0", 168, "0"),
    _regnet("regnet_y_400mf", "RegNetY-400MF", 16, 48, "27.89", "2.09", 8, "0.25"),
    _regnet("regnet_y_800mf", "RegNetY-800MF", 14, 56, "38.84", "2.4", 16, "0.25"),
    _regnet("regnet_y_1_6gf", "RegNetY-1.6GF", 27, 48, "20.71", "2.65", 24, "0.25"),
    _regnet("regnet_y_3_2gf", "RegNetY-3.2GF", 21, 80, "42.63", "2.66", 24, "0.25"),
    _regnet("regnet_y_8gf", "RegNetY-8.0GF", 17, 192, "76.82", "2.19", 56, "0.25"),
    _regnet("regnet_y_16gf", "RegNetY-16GF", 18, 200, "106.23", "2.48", 112, "0.25"),
    _regnet("regnet_y_32gf", "RegNetY-32GF", 20, 232, "115.89", "2.53", 232, "0.25"),
    _regnet("regnet_y_128gf", "RegNetY-128GF", 27, 456, "160.83", "2.52", 264, "0.25", 384, "; SWAG, Singh et al. 2022"),
    *[_tv(f"convnext_{name}", "convnext", f"ConvNeXt-{t} (Liu et al. 2022), widths {c}-{8 * c}, depths 3-3-{d3}-3",
          values={"c": c, "d3": d3, "sd": sd}) for name, t, c, d3, sd in _CONVNEXT],
    _seg("fcn_resnet50", "segmentation_resnet", "FCN (Long et al. 2015) on a dilated ResNet-50, 21 classes"),
    _seg("fcn_resnet101", "segmentation_resnet", "FCN (Long et al. 2015) on a dilated ResNet-101, 21 classes",
         values={"n3": 23}),
    _seg("deeplabv3_resnet50", "segmentation_resnet", "DeepLabV3 (Chen et al. 2017) on a dilated ResNet-50, ASPP",
         values={"head": "deeplab"}),
    _seg("deeplabv3_resnet101", "segmentation_resnet", "DeepLabV3 (Chen et al. 2017) on a dilated ResNet-101, ASPP",
         values={"head": "deeplab", "n3": 23}),
    _seg("deeplabv3_mobilenet_v3_large", "deeplabv3_mobilenet", "DeepLabV3 (Chen et al. 2017) on MobileNetV3-Large"),
    Member("lraspp_mobilenet_v3_large", "lraspp", "LR-ASPP on MobileNetV3-Large (Howard et al. 2019), 21 classes",
           520, torchvision="segmentation.lraspp_mobilenet_v3_large", kwargs={"weights_backbone": None}),
    Member("unet", "unet", "U-Net (Ronneberger et al. 2015): a 572x572x1 tile to a 388x388x2 map", 572, small=188,
           channels=1),
]
"""Every built-in model, in the order ``symcnn --list`` shows them."""

BY_NAME = {member.name: member for member in MEMBERS}
