"""The real torchvision models as the referee of the built-in models: what they hold and what they compute.

torchvision's compiled extension is a CUDA build that does not load beside the CPU torch; its
pure-Python models import once the two operator schemas its meta registrations refer to are
defined (``torchvision::nms`` and ``torchvision::qnms``). That is done here, in the tests only.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from conftest import require_module, saved_storage_bytes

from symcnn.catalog import Member

torch = require_module("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402  (after the torch requirement)

_SCHEMAS = None


def torchvision() -> ModuleType:
    """torchvision, importable on the CPU torch (see the module's docstring)."""
    global _SCHEMAS
    if _SCHEMAS is None:
        try:
            _SCHEMAS = torch.library.Library("torchvision", "DEF")
            for name in ("nms", "qnms"):
                _SCHEMAS.define(f"{name}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        except RuntimeError:  # already defined in this process (torchvision imported elsewhere)
            pass
    return require_module("torchvision")


def build(member: Member, device: str = "meta") -> Any:
    """The torchvision model ``member`` equals, without weights, on the meta device where its init allows."""
    assert member.torchvision is not None, member.name
    module = torchvision().models
    *path, name = member.torchvision.split(".")
    for part in path:
        module = getattr(module, part)
    make = getattr(module, name)
    if device == "meta" and member.meta:
        with torch.device("meta"):
            return make(weights=None, **member.kwargs)
    torch.manual_seed(0)
    return make(weights=None, **member.kwargs)


def member_id(member: Member) -> str:
    return member.name + ("[aux]" if member.values.get("aux") else "")


def main_output(output: Any) -> Any:
    """The model's output: the tensor, the ``out`` of a segmentation model, the logits of an Inception in training."""
    if isinstance(output, dict):
        return output["out"]
    if isinstance(output, tuple) and hasattr(output, "logits"):
        return output.logits
    return output


LAYERS = ("Conv2d", "ConvTranspose2d", "Linear")
"""The modules whose outputs are compared one to one with symcnn's conv, deconv and fc rows."""


def counts(model: Any, size: int, channels: int = 3) -> dict[str, Any]:
    """What torch says of the model in eval mode at size x size: params, float buffers, FLOPs, output shape.

    ``shapes`` are the (H, W, C) outputs of its convolutions and linear layers in the order they
    run, those of auxiliary heads (modules named ``aux...``) left out.
    """
    model = model.eval()
    device = next(model.parameters()).device
    x = torch.zeros(1, channels, size, size, device=device)
    shapes: list[tuple[int, ...]] = []
    def record(module: Any, _inputs: Any, out: Any) -> None:
        # A Linear on a 4-D tensor runs on the last dimension: its input is channels-last (ConvNeXt's blocks).
        last = type(module).__name__ == "Linear" and out.dim() == 4
        shapes.append(tuple(out.shape[1:]) if last else hwc(tuple(out.shape)))

    hooks = [module.register_forward_hook(record)
             for name, module in model.named_modules()
             if type(module).__name__ in LAYERS and not any(part.lower().startswith("aux") for part in name.split("."))]
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            out = main_output(model(x))
    finally:
        for hook in hooks:
            hook.remove()
    return {
        "shapes": shapes,
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers() if b.is_floating_point()),
        "flops": counter.get_total_flops(),
        "output": hwc(tuple(out.shape)),
    }


def saved_bytes(model: Any, size: int, batch: int, channels: int = 3) -> int:
    """Bytes of the distinct storages a training forward pass saves for backward, parameters and buffers excluded."""
    generator = torch.Generator().manual_seed(0)
    found, output = saved_storage_bytes(model.train(), torch.randn(batch, channels, size, size, generator=generator))
    assert output is not None
    return found


def hwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A torch output shape (1, n) or (1, C, H, W) as symcnn's (H, W, C)."""
    return (1, 1, shape[-1]) if len(shape) <= 3 else (shape[-2], shape[-1], shape[-3])
