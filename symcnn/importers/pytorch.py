"""PyTorch models to networks: trace with ``torch.fx``, read the graph, write the notation, check it.

``torch.fx.symbolic_trace`` rather than ``torch.export``: it keeps each ``torch.nn`` module a
call of its own, with its path and the modules around it, which is what the notation's layers
and definitions are made of; ``torch.export`` lowers modules to ATen operators (a BatchNorm to
``_native_batch_norm_legit``) and would have them put back together.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

import torch
from torch import fx
from torch.fx.passes.shape_prop import ShapeProp

from ..errors import SymcnnError
from ..network import Network
from ..syntax import parse
from .emit import notation
from .graph import Graph, to_items
from .torch_args import attribute
from .torch_fx import Reader


def trace(module: torch.nn.Module, size: tuple[int, int, int]) -> tuple[Reader, Graph]:
    """The graph of ``module`` on one (C, H, W) input.

    Traced in training mode, so that auxiliary heads that run only in training are seen (as side
    outputs); where the model cannot train at this size (Inception's auxiliary head needs 299x299),
    in evaluation mode, and those heads' parameters are reported as never run.
    """
    training = module.training
    try:
        for mode in (True, False):
            module.train(mode)
            traced = _symbolic_trace(module)
            module.train(training)
            try:
                _propagate(module, traced, size)
                break
            except Exception as error:  # noqa: BLE001 - any failure of the model at this size is the user's
                if not mode:
                    c, h, w = size
                    raise SymcnnError(f"the model does not run on a {c}x{h}x{w} input: {type(error).__name__}: "
                                      f"{str(error).splitlines()[-1][:300]}") from None
    finally:
        module.train(training)
    reader = Reader(module, traced)
    return reader, reader.run()


def _symbolic_trace(module: torch.nn.Module) -> fx.GraphModule:
    try:
        with _functions_as_leaves():
            return fx.symbolic_trace(module)
    except Exception as error:  # noqa: BLE001 - any failure of the tracer is the user's model's
        raise SymcnnError(f"torch.fx could not trace the model: {type(error).__name__}: {error}",
                          hint="symcnn reads models that torch.fx.symbolic_trace can trace (no control flow on "
                               "tensor values)") from None


@contextlib.contextmanager
def _functions_as_leaves() -> Iterator[None]:
    """Custom autograd functions (``torch.autograd.Function``) traced as one call each, not through ``forward``.

    fx would otherwise trace into ``forward`` and count what it does there, while what the model
    computes in training (its ``backward``) is the user's own: such a call is an operation symcnn
    cannot count, named by its class.
    """
    original = torch.autograd.Function.__dict__["apply"]

    def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
        proxy = next((a for a in (*args, *kwargs.values()) if isinstance(a, fx.Proxy)), None)
        if proxy is None:
            return original.__func__(cls, *args, **kwargs)

        def call(*a: Any, **k: Any) -> Any:
            return cls.apply(*a, **k)

        call.__name__ = call.__qualname__ = f"{cls.__name__}.apply"
        return proxy.tracer.create_proxy("call_function", call, args, kwargs)

    torch.autograd.Function.apply = classmethod(apply)  # type: ignore[assignment, method-assign]
    try:
        yield
    finally:
        torch.autograd.Function.apply = original  # type: ignore[method-assign]


def _propagate(module: torch.nn.Module, traced: fx.GraphModule, size: tuple[int, int, int]) -> None:
    """Shapes on every node, on the meta device or with fake tensors: nothing is computed."""
    c, h, w = size
    if all(p.device.type == "meta" for p in module.parameters()):
        ShapeProp(traced).propagate(torch.zeros(2, c, h, w, device="meta"))
    else:
        from torch._subclasses.fake_tensor import FakeTensorMode

        ShapeProp(traced, fake_mode=FakeTensorMode(allow_non_fake_inputs=True)).propagate(torch.zeros(2, c, h, w))


def from_torch(module: torch.nn.Module, input_size: Any, allow_uncounted: bool = False) -> Network:
    """The network ``module`` computes on inputs of ``input_size`` channels (C, H, W), its height and width left free.

    ``input_size`` is (C, H, W) or an example tensor (N, C, H, W). Operations symcnn cannot
    count are an error listing each with where it runs and how often; with ``allow_uncounted``
    they are kept as ``uncounted`` layers, which every output names.
    """
    size = _size(input_size)
    reader, graph = trace(module, size)
    items, notes = to_items(graph, reader.source, reader.unsupported, reader.notes, allow_uncounted)
    used, uncounted = _used_parameters(reader)
    total = sum(p.numel() for p in module.parameters())
    if used != total:
        notes.append(f"{total - used:,} parameters of modules the forward pass never runs are not counted")
    if uncounted:
        notes.append(f"{uncounted:,} parameters of uncounted operations are not in the totals")
    network = dataclasses.replace(parse(notation(items, size[0], notes)), notes=tuple(notes))
    _check(network, graph, used - uncounted, size)
    return network


def _size(input_size: Any) -> tuple[int, int, int]:
    if isinstance(input_size, torch.Tensor):
        if input_size.dim() != 4:
            raise SymcnnError(f"the example input has shape {tuple(input_size.shape)}; give (N, C, H, W) or (C, H, W)")
        return tuple(int(d) for d in input_size.shape[1:])  # type: ignore[return-value]
    try:
        c, h, w = (int(d) for d in input_size)
    except (TypeError, ValueError):
        raise SymcnnError(f"the input size is {input_size!r}; give (C, H, W), for example (3, 224, 224)") from None
    if min(c, h, w) < 1:
        raise SymcnnError(f"the input size {input_size!r} has a size below 1")
    return c, h, w


def _used_parameters(reader: Reader) -> tuple[int, int]:
    """Parameters of the modules and attributes the traced forward uses, and those of the uncounted ones."""
    used = uncounted = 0
    seen: set[int] = set()
    refused = {where for (_, where) in reader.unsupported}
    for node in reader.traced.graph.nodes:
        if node.op == "call_module":
            params = list(reader.traced.get_submodule(node.target).parameters())
        elif node.op == "get_attr" and isinstance(attribute(reader.traced, node.target), torch.nn.Parameter):
            params = [attribute(reader.traced, node.target)]
        else:
            continue
        fresh = [p for p in params if id(p) not in seen]
        seen.update(id(p) for p in fresh)
        n = sum(p.numel() for p in fresh)
        used += n
        if (node.op == "call_module" and node.target in refused) or (
                node.op == "get_attr" and any(user in reader.refused for user in node.users)):
            uncounted += n
    return used, uncounted


def _check(network: Network, graph: Graph, params: int, size: tuple[int, int, int]) -> None:
    """The written network at the traced size has the model's parameters and output shape, or symcnn has a bug."""
    from ..analysis import analyze

    c, h, w = size
    analysis = analyze(network).at(f"{h}x{w}x{c}")
    side = analysis.side_totals or {"params": 0}
    found = analysis.totals["params"] + side["params"]
    out = graph.nodes[graph.outputs[0]].shape
    if found != params or (out is not None and tuple(analysis.rows[-1].output) != tuple(out)):
        raise SymcnnError(f"internal error: the notation written for the model counts {found:,} parameters and "
                          f"ends in {analysis.rows[-1].output}, the model has {params:,} and ends in {out}",
                          hint="please report this with the model")
