"""The real torchvision models as the referee of the built-in models: what they hold and what they compute.

torchvision's compiled extension is a CUDA build that does not load beside the CPU torch; its
pure-Python models import once the two operator schemas its meta registrations refer to are
defined (``torchvision::nms`` and ``torchvision::qnms``). That is done here, in the tests only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from conftest import require_module

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


@dataclass(frozen=True)
class Model:
    """A built-in model and the torchvision model it must equal.

    ``builder`` is the torchvision function (``models.resnet50``, or ``models.segmentation.fcn_resnet50``)
    called with ``kwargs``; ``values`` are given to the built-in file (``aux=1``); ``size`` is the
    reference resolution (the weights' crop size); ``meta`` says whether the model's init runs on
    the meta device; ``side_in_eval`` whether its auxiliary heads run in eval mode (FCN, DeepLab)
    or only in training (GoogLeNet, Inception).
    """

    name: str
    builder: str
    size: int
    kwargs: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    meta: bool = True
    side_in_eval: bool = False
    small: int = 64

    @property
    def id(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in {**self.kwargs, **self.values}.items())
        return self.name + (f"[{extra}]" if extra else "")

    def build(self, device: str = "meta") -> Any:
        vision = torchvision()
        module = vision.models
        for part in self.builder.split(".")[:-1]:
            module = getattr(module, part)
        make = getattr(module, self.builder.split(".")[-1])
        if device == "meta" and self.meta:
            with torch.device("meta"):
                return make(weights=None, **self.kwargs)
        torch.manual_seed(0)
        return make(weights=None, **self.kwargs)


def main_output(output: Any) -> Any:
    """The model's output: the tensor, the ``out`` of a segmentation model, the logits of an Inception in training."""
    if isinstance(output, dict):
        return output["out"]
    if isinstance(output, tuple) and hasattr(output, "logits"):
        return output.logits
    return output


def counts(model: Any, size: int, channels: int = 3) -> dict[str, Any]:
    """What torch says of the model in eval mode at size x size: params, float buffers, FLOPs, output shape."""
    model = model.eval()
    device = next(model.parameters()).device
    x = torch.zeros(1, channels, size, size, device=device)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        out = main_output(model(x))
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers() if b.is_floating_point()),
        "flops": counter.get_total_flops(),
        "output": tuple(out.shape),
    }


def saved_bytes(model: Any, size: int, batch: int, channels: int = 3) -> int:
    """Bytes of the distinct storages a training forward pass saves for backward, parameters and buffers excluded."""
    model = model.train()
    own = {t.untyped_storage().data_ptr() for t in [*model.parameters(), *model.buffers()]}
    saved: dict[int, int] = {}

    def pack(t: Any) -> Any:
        storage = t.untyped_storage()
        if storage.data_ptr() not in own:
            saved[storage.data_ptr()] = storage.nbytes()
        return t

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(batch, channels, size, size, generator=generator)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        output = model(x)  # the graph holds the saved tensors while the output lives
    assert output is not None
    return sum(saved.values())


def hwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A torch output shape (1, n) or (1, C, H, W) as symcnn's (H, W, C)."""
    return (1, 1, shape[1]) if len(shape) == 2 else (shape[2], shape[3], shape[1])
