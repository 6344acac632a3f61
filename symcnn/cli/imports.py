"""``--from-torch MODULE:CALLABLE`` and ``.onnx`` files: the user's own models, read into the notation."""

from __future__ import annotations

import importlib
import json
from typing import Any

from ..errors import SymcnnError
from ..network import Network
from ..syntax import parse_dims
from .common import steps


def _size(at: str | None, channels: int) -> tuple[int, int, int]:
    """(C, H, W) to trace at: --at's sizes where they are numbers, else 224x224 and the model's channels."""
    if at is None:
        return channels, 224, 224
    h, w, c = parse_dims(at)
    if not all(type(v) is int for v in (h, w, c)):
        raise SymcnnError(f"--at {at}: an imported model is traced at numbers, e.g. 224x224x3")
    return c, h, w  # type: ignore[return-value]


def torch_model(spec: str, kwargs: str | None, at: str | None, allow_uncounted: bool) -> Network:
    """The model ``module:callable`` builds (called with ``kwargs``, a JSON object), read with torch.fx."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise SymcnnError(f"--from-torch {spec}: give MODULE:CALLABLE, e.g. torchvision.models:resnet50")
    try:
        arguments = json.loads(kwargs) if kwargs is not None else {}
    except json.JSONDecodeError as error:
        raise SymcnnError(f"--kwargs is not JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    if not isinstance(arguments, dict):
        raise SymcnnError("--kwargs must be a JSON object, e.g. '{\"num_classes\": 10}'")
    with steps(3, "--from-torch") as step:
        step(f"importing {module_name}")
        try:
            target: Any = importlib.import_module(module_name)
        except Exception as error:  # noqa: BLE001 - the user's module failed to import: say how, in one line
            raise SymcnnError(f"--from-torch: cannot import {module_name}: {type(error).__name__}: {error}") from None
        for part in attr.split("."):
            if not hasattr(target, part):
                raise SymcnnError(f"--from-torch: {module_name} has no {attr}")
            target = getattr(target, part)
        step(f"building {attr}")
        try:
            model = target(**arguments)
        except Exception as error:  # noqa: BLE001 - the user's code failed: say how, in one line
            raise SymcnnError(f"--from-torch: {spec}(**{arguments}) failed: {type(error).__name__}: {error}") from None
        import torch

        if not isinstance(model, torch.nn.Module):
            raise SymcnnError(f"--from-torch: {spec} returned a {type(model).__name__}, not a torch.nn.Module")
        from ..importers.pytorch import from_torch

        step("tracing it with torch.fx")
        first = next((m for m in model.modules() if isinstance(m, torch.nn.Conv2d)), None)
        return from_torch(model, _size(at, first.in_channels if first is not None else 3), allow_uncounted)


def onnx_model(path: str, at: str | None, allow_uncounted: bool) -> Network:
    from ..importers.onnx_graph import from_onnx

    size = None
    if at is not None:
        h, w, c = parse_dims(at)
        size = (c, h, w) if all(type(v) is int for v in (h, w, c)) else None
    return from_onnx(path, size, allow_uncounted)
