"""The real counters users compare against, each run on a PyTorch model as its README says, for one figure.

Each function takes a model and the (C, H, W) of one input and returns the tool's own total, exactly
as the tool computes it (a float where the tool gives one).
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
from collections.abc import Callable
from typing import Any

import torch

from conftest import require_module
from referee import torchvision


def _quiet() -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


def ptflops(model: torch.nn.Module, size: tuple[int, int, int], backend: str = "pytorch") -> int:
    torchvision()  # ptflops imports torchvision.ops, which needs the operator schemas defined first
    with _quiet():
        macs, _ = require_module("ptflops").get_model_complexity_info(model, size, as_strings=False, backend=backend,
                                                                      print_per_layer_stat=False)
    assert macs is not None, "ptflops failed"
    return macs


def thop(model: torch.nn.Module, size: tuple[int, int, int]) -> float:
    package = require_module("thop")
    with _quiet():  # thop adds buffers to the modules it profiles: give it a copy
        return package.profile(copy.deepcopy(model), inputs=(torch.zeros(1, *size),), verbose=False)[0]


def fvcore(model: torch.nn.Module, size: tuple[int, int, int]) -> int:
    analysis = require_module("fvcore.nn").FlopCountAnalysis(model, torch.zeros(1, *size))
    with _quiet():
        return analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False).total()


def torchinfo(model: torch.nn.Module, size: tuple[int, int, int]) -> int:
    return require_module("torchinfo").summary(model, input_size=(1, *size), verbose=0).total_mult_adds


def flop_counter(model: torch.nn.Module, size: tuple[int, int, int]) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, *size))
    return counter.get_total_flops()


def deepspeed(model: torch.nn.Module, size: tuple[int, int, int], macs: bool = False) -> int:
    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)
    profiler = require_module("deepspeed.profiling.flops_profiler")
    with _quiet():
        flops, counted, _ = profiler.get_model_profile(model, input_shape=(1, *size), print_profile=False,
                                                       as_string=False)
    return counted if macs else flops


RUNNERS: dict[str, Callable[[torch.nn.Module, tuple[int, int, int]], Any]] = {
    "ptflops": ptflops,
    "ptflops-aten": lambda model, size: ptflops(model, size, "aten"),
    "thop": thop,
    "fvcore": fvcore,
    "torchinfo": torchinfo,
    "flop_counter": flop_counter,
    "deepspeed": deepspeed,
    "deepspeed-macs": lambda model, size: deepspeed(model, size, macs=True),
}
"""Every tool symcnn's ``--as`` follows that runs on a model here (torchvision's column and Keras do not)."""


def totals(member_name: str, size: int) -> dict[str, Any]:
    """Every tool's own total for a catalogue member's torchvision model at size x size (no weights loaded).

    Run in a process of its own (``python tests/counters.py SIZE NAME...``, see ``tests/test_conventions.py``):
    the tools keep some of every model they count alive, which beside the other tests fills the memory.
    """
    from referee import build

    from symcnn.catalog import BY_NAME

    member = BY_NAME[member_name]
    torchvision()
    return every_total(build(member, "cpu"), (member.channels, size, size))


def every_total(model: torch.nn.Module, size: tuple[int, int, int]) -> dict[str, Any]:
    """Each tool of :data:`RUNNERS` on ``model`` in eval mode, its warnings silenced: tool -> its total."""
    import warnings

    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: runner(model, size) for name, runner in RUNNERS.items()}


def main(argv: list[str]) -> None:
    """``SIZE NAME...``: one JSON line per member, its name and every tool's total."""
    import json

    torch.set_num_threads(1)  # the fixture runs two of these on two cores: more threads only contend
    size = int(argv[0])
    for name in argv[1:]:
        print(json.dumps({"name": name, "totals": totals(name, size)}), flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
