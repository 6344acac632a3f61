"""Memory: the inference peak, and what training holds, with PyTorch as the referee.

The saved-for-backward prediction is compared with the distinct storages a training
forward pass hands to ``torch.autograd.graph.saved_tensors_hooks`` (parameters and
buffers count zero times: they are counted as parameters and buffers). The inference
peak is compared with the largest sum of live storages seen by a dispatch mode during
an inference forward pass. Parameters, gradients and optimizer state are compared with
the tensors torch holds after one ``backward()`` and one optimizer ``step()``.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
import sympy
from conftest import own_storages, require_module, saved_storage_bytes

import symcnn
from symcnn import SymcnnError
from symcnn.analysis import Analysis
from symcnn.cli import run
from symcnn.layers import kinds
from symcnn.memory import OPTIMIZER_COPIES, STEP_BYTES, memory, peak

DTYPES = {"fp16": "float16", "bf16": "bfloat16", "fp32": "float32", "fp64": "float64"}


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    return require_module("torch")


def at(name: str, size: int | None, batch: int, dtype: str = "fp32") -> Analysis:
    """A zoo model at size x size x 3 (its own input when size is None), K = 1000 and a = 1."""
    network = symcnn.load(name)
    values = {key: value for key, value in {"K": 1000, "a": 1}.items() if key in network.symbols}
    channels = network.input[2]
    return network.analyze(dtype=dtype).at(None if size is None else f"{size}x{size}x{channels}", batch=batch,
                                           **values)


def torch_input(torch: ModuleType, analysis: Analysis) -> Any:
    h, w, c = (int(d) for d in analysis.input)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(int(analysis.batch_size), c, h, w, generator=generator)
    return x.to(getattr(torch, DTYPES[analysis.dtype]))


def module(torch: ModuleType, analysis: Analysis) -> Any:
    torch.manual_seed(0)
    return symcnn.to_torch(analysis).to(getattr(torch, DTYPES[analysis.dtype]))


def autocast(torch: ModuleType, amp: str | None) -> Any:
    return torch.autocast("cpu", dtype=getattr(torch, DTYPES[amp])) if amp else contextlib.nullcontext()


def measured_saved_bytes(torch: ModuleType, analysis: Analysis, amp: str | None = None) -> int:
    """Bytes of the distinct storages a training forward pass saves for backward, parameters and buffers excluded."""
    found, output = saved_storage_bytes(module(torch, analysis).train(), torch_input(torch, analysis),
                                        autocast(torch, amp))
    assert output.grad_fn is not None
    return found


# ---------------------------------------------------------------------------------------------------------------------
# Saved for backward of symcnn.to_torch's modules: the three models the README quotes at 224x224 and the models
# torchvision does not have. (Every model torchvision has is checked against the real one in test_torchvision.py.)

HEADLINE = ("vgg16", "resnet50", "mobilenet_v2")


def zoo_cases() -> Iterator[Any]:
    for name, size in (*((name, 224) for name in HEADLINE), ("lenet5", None), ("mobilenet_v1", 64), ("unet", 188)):
        for batch in (1, 4) if name != "unet" else (1,):
            yield pytest.param(name, size, batch, id=f"{name}-{size or 'own'}-batch{batch}")


@pytest.mark.parametrize("name, size, batch", list(zoo_cases()))
def test_saved_for_backward_matches_pytorch_on_the_zoo(torch: ModuleType, name: str, size: int | None,
                                                       batch: int) -> None:
    analysis = at(name, size, batch)
    assert memory(analysis, device="cpu").saved_bytes == measured_saved_bytes(torch, analysis)


# ---------------------------------------------------------------------------------------------------------------------
# Saved for backward: every rule of SAVES, in every dtype and under autocast.

RULE_NETS = [
    "input 12x12x3\nconv3-8, lrelu, deconv2-4/2, gelu, conv3-6/2, silu, swish, hswish, hsigmoid, gmp, fc-10, tanh, "
    "softmax",
    "input 12x12x3\nconv3-8, bn, relu, avgpool2, upsample2, sigmoid, apool3, flatten, fc-6, bn, relu6, dropout, fc-4",
    "input 6x6x8\nconv1-8, lrn, relu, lrn",
    "input 8x8x4\nres(conv3-4, relu), res(conv1-8, bn | conv1-8), concat(id | conv3-4, relu | pool3/1[p=1]), "
    "mul(gap, fc-20, sigmoid), relu, mul(conv1-20, sigmoid)",
    # Layers before the first parameter see an input that needs no gradient: they save nothing.
    "input 8x8x3\nrelu, pool2, dropout, sigmoid, mul(sigmoid), res(relu), id, conv3-4, apool1, fc-3",
    # An fc on the input: under autocast its weight copy is not saved (addmm keeps mat2 only for mat1's gradient).
    "input 4x4x3\nfc-5, relu, fc-2",
    "input 8x8x3\nconv1-4[bias=false], upsample2, conv1-4, softmax, dwconv3/2, gmp, fc-2[bias=false], bn",
    "input 8x8x4\nconv1-4, mish, split(id | conv1-2, mish), conv1-2",
    "input 8x8x4\nconv1-8, ln, gn2, inorm, inorm[affine=true], scale, droppath, droppath[p=0], shuffle2, crop6x6, "
    "resize{10}x{12}[mode=bilinear], resize{12}x{12}, conv1-4, mul(relu | gap, sigmoid)",
    # Layer scale on the input: its output takes the wider type of input and factors (fp32 under amp).
    "input 8x8x4\nscale, conv1-4, ln, fc-3",
]
PRECISIONS = [("fp32", None), ("fp64", None), ("bf16", None), ("fp16", None), ("fp32", "bf16"), ("fp32", "fp16")]
RULE_CASES = [pytest.param(text, dtype, amp, id=f"{i}-{dtype}-{amp or 'noamp'}")
              for i, text in enumerate(RULE_NETS) for dtype, amp in PRECISIONS
              # F.local_response_norm needs avg_pool3d, which torch 2.13 lacks for fp16 and bf16 on CPU.
              if not ("lrn" in text and dtype in ("fp16", "bf16"))]


@pytest.mark.parametrize("text, dtype, amp", RULE_CASES)
def test_each_saving_rule_matches_pytorch(torch: ModuleType, text: str, dtype: str, amp: str | None) -> None:
    analysis = symcnn.parse(text).analyze(dtype=dtype, batch=3)
    assert memory(analysis, amp=amp, device="cpu").saved_bytes == measured_saved_bytes(torch, analysis, amp)


def test_the_rule_nets_use_every_rule() -> None:
    """Every layer kind's rule (each word that is not another's alias) and every join is exercised.

    Not the uncounted placeholder's, which has none: its training memory is refused.
    """
    rows = [row for text in RULE_NETS for row in symcnn.parse(text).analyze().rows]
    words = {word for kind in kinds() if not kind.unknown for word, fixed in kind.words.items()
             if list(kind.words.values()).index(fixed) == list(kind.words).index(word)}
    assert {row.layer.word for row in rows if row.layer is not None} == words
    assert {row.kind for row in rows if row.layer is None} == {"input", "add", "concat", "mul", "split"}


# ---------------------------------------------------------------------------------------------------------------------
# The inference peak, against the live storages of an inference forward pass.

def inference_module(torch: ModuleType, analysis: Analysis) -> Any:
    """The to_torch module flattened (a nested Sequential's caller holds its input) with in-place activations."""
    nn = torch.nn

    class Source(nn.Module):
        """Makes the input inside the network, so that nothing outside holds it after its first use."""

        def forward(self, _: Any) -> Any:
            return torch_input(torch, analysis)

    class InPlace(nn.Module):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        def forward(self, x: Any) -> Any:
            return getattr(x, self.name + "_")()

    def flat(m: Any) -> list[Any]:
        if isinstance(m, nn.Sequential):
            return [leaf for child in m for leaf in flat(child)]
        for name, child in m.named_children():
            setattr(m, name, nn.Sequential(*flat(child)) if isinstance(child, nn.Sequential) else flat(child)[0])
        if isinstance(m, (nn.Sigmoid, nn.Tanh)):
            return [InPlace(type(m).__name__.lower())]
        if hasattr(m, "inplace"):
            m.inplace = True
        return [m]

    return nn.Sequential(Source(), *flat(module(torch, analysis))).eval()


def measured_peak_bytes(torch: ModuleType, analysis: Analysis, amp: str | None = None) -> int:
    """The most bytes of live storages (parameters and buffers excluded) after any operation of the forward pass."""
    from torch.multiprocessing.reductions import StorageWeakRef
    from torch.utils._python_dispatch import TorchDispatchMode

    net = inference_module(torch, analysis)
    own = own_storages(net)

    class Live(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.storages: dict[int, tuple[Any, int]] = {}
            self.peak = 0

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            out = func(*args, **(kwargs or {}))
            for t in out if isinstance(out, (tuple, list)) else (out,):
                if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() not in own:
                    self.storages[t.untyped_storage().data_ptr()] = (StorageWeakRef(t.untyped_storage()),
                                                                     t.untyped_storage().nbytes())
            self.storages = {k: v for k, v in self.storages.items() if not v[0].expired()}
            self.peak = max(self.peak, sum(size for _, size in self.storages.values()))
            return out

    live = Live()
    with torch.no_grad(), autocast(torch, amp), live:
        net(None)
    return live.peak


INFERENCE_CASES = [
    *[pytest.param(name, 224, batch, None, id=f"{name}-224-batch{batch}") for name in HEADLINE for batch in (1, 2)],
    *[pytest.param(name, 64, 2, None, id=f"{name}-64-batch2") for name in ("googlenet", "densenet121", "squeezenet1_0",
                                                                            "alexnet", "vgg16_bn")],
    pytest.param("lenet5", None, 2, None, id="lenet5-own-batch2"),
    *[pytest.param(name, 64, 2, "bf16", id=f"{name}-64-batch2-amp") for name in ("resnet18", "mobilenet_v2")],
]


@pytest.mark.parametrize("name, size, batch, amp", INFERENCE_CASES)
def test_inference_peak_matches_pytorch_on_the_zoo(torch: ModuleType, name: str, size: int | None, batch: int,
                                                   amp: str | None) -> None:
    analysis = at(name, size, batch)
    assert memory(analysis, amp=amp).activation_peak_bytes == measured_peak_bytes(torch, analysis, amp)


INFERENCE_NETS = [
    "input 12x12x3\nconv3-8, bn, relu, lrn, avgpool2, upsample2, sigmoid, apool3, flatten, fc-6, relu6, dropout, fc-4",
    "input 6x6x2\nconv1-2, lrn",  # few channels: the padded squares make the peak
    RULE_NETS[3],
    "input 12x12x3\nconv3-8, lrelu, deconv2-4/2, conv3-6/2, silu, hswish, hsigmoid, tanh, dwconv3, gmp, fc-10, bn",
    RULE_NETS[8],
    "input 8x8x4\nconv1-4, split(id | conv1-2, mish), mul(conv1-4 | gap, sigmoid), concat(conv1-2 | crop6x6, resize)",
]


@pytest.mark.parametrize("text", INFERENCE_NETS, ids=range(len(INFERENCE_NETS)))
def test_inference_peak_matches_pytorch_on_each_layer(torch: ModuleType, text: str) -> None:
    analysis = symcnn.parse(text).analyze(batch=2)
    assert memory(analysis).activation_peak_bytes == measured_peak_bytes(torch, analysis)


def test_the_peak_of_a_chain_is_its_largest_input_and_output() -> None:
    m = memory(symcnn.parse("input 8x8x3\nconv3-16, relu, conv3-4, fc-2").analyze())
    assert m.live == {0: 192 * 4, 1: (192 + 1024) * 4, 2: 1024 * 4, 3: (1024 + 256) * 4, 4: (256 + 2) * 4}
    assert m.activation_peak_bytes == (1024 + 256) * 4


def test_a_branch_point_keeps_its_input_until_the_join() -> None:
    m = memory(symcnn.parse("input 4x4x2\nres(conv1-8, conv1-2)").analyze())
    assert m.live[2] == (32 + 128 + 32) * 4  # x waits while conv1-8 -> conv1-2 runs
    assert m.live[3] == (32 + 32 + 32) * 4   # x, the branch output and the sum


def test_a_symbolic_peak_is_an_exact_max() -> None:
    m = memory(symcnn.parse("input HxWx3\nconv3-8, pool2, conv3-64").analyze(batch="N"))
    for h, w, n in ((4, 4, 1), (33, 17, 5), (2, 2, 3)):
        numeric = memory(m.analysis.at(f"{h}x{w}x3", N=n))
        values = {s: {"H": h, "W": w, "N": n}[s.name] for s in m.activation_peak_bytes.free_symbols}
        assert m.activation_peak_bytes.xreplace(values) == numeric.activation_peak_bytes


def test_peak_drops_only_dominated_candidates() -> None:
    h = sympy.Symbol("H", positive=True)
    assert peak([h, 2 * h, 3]) == sympy.Max(2 * h, 3)
    assert peak([sympy.Integer(5), sympy.Integer(7)]) == 7
    assert peak([h**2, h]) == sympy.Max(h, h**2)  # h < h**2 only when h > 1: both stay


# ---------------------------------------------------------------------------------------------------------------------
# Parameters, gradients, buffers and optimizer state, against torch after backward() and step().

def optimizer(torch: ModuleType, name: str, params: Any) -> Any:
    return {
        "sgd": lambda: torch.optim.SGD(params, lr=0.1),
        "momentum": lambda: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "adam": lambda: torch.optim.Adam(params),
        "adamw": lambda: torch.optim.AdamW(params),
    }[name]()


@pytest.mark.parametrize("name, size, dtype", [("resnet18", 64, "fp32"), ("mobilenet_v2", 64, "fp32"),
                                               ("vgg16_bn", 64, "fp32"), ("lenet5", None, "fp64")])
def test_parameters_gradients_and_optimizer_state_match_pytorch(torch: ModuleType, name: str, size: int | None,
                                                                dtype: str) -> None:
    analysis = at(name, size, 1, dtype)
    net = module(torch, analysis).train()
    net(torch_input(torch, analysis)).sum().backward()
    params = list(net.parameters())
    for opt in OPTIMIZER_COPIES:
        step = optimizer(torch, opt, params)
        step.step()
        m = memory(analysis, opt)
        state = [t for s in step.state.values() for t in s.values() if isinstance(t, torch.Tensor)]
        assert m.param_bytes == sum(p.numel() * p.element_size() for p in params)
        assert m.gradient_bytes == sum(p.grad.untyped_storage().nbytes() for p in params)
        assert m.optimizer_bytes == sum(t.untyped_storage().nbytes() for t in state)
        assert m.buffer_bytes == sum(b.untyped_storage().nbytes() for b in net.buffers())
        if opt.startswith("adam"):  # Adam's step counter: one 0-dim float32 tensor per parameter tensor
            assert sum(t.untyped_storage().nbytes() for t in state if t.dim() == 0) == STEP_BYTES * len(params)
        assert m.training_bytes == (m.param_bytes + m.buffer_bytes + m.gradient_bytes + m.optimizer_bytes
                                    + m.saved_bytes)


def test_adam_keeps_two_copies_and_a_counter_per_tensor() -> None:
    m = memory(symcnn.parse("input 4x4x3\nconv1-4, bn, fc-2[bias=false]").analyze())
    params = 3 * 4 + 4 + 2 * 4 + 4 * 4 * 4 * 2
    assert m.param_bytes == 4 * params
    assert m.optimizer_bytes == 2 * 4 * params + STEP_BYTES * 5  # conv weight and bias, bn scale and shift, fc weight
    assert memory(m.analysis, "momentum").optimizer_bytes == 4 * params
    assert memory(m.analysis, "sgd").optimizer_bytes == 0


# ---------------------------------------------------------------------------------------------------------------------
# The batch size, symbolic repeats, devices.

def test_batch_multiplies_activations_and_macs_only() -> None:
    one = symcnn.load("resnet50").analyze().at("64x64x3")
    four = symcnn.load("resnet50").analyze(batch=4).at("64x64x3")
    for key in ("macs", "flops", "activations", "activation_bytes"):
        assert four.totals[key] == 4 * one.totals[key]
    for key in ("params", "buffers", "param_bytes"):
        assert four.totals[key] == one.totals[key]


def test_memory_formulas_in_the_batch_agree_with_numbers() -> None:
    symbolic = memory(symcnn.load("vgg16_bn").analyze(batch="N"), "adamw")
    formulas = symbolic.totals()
    for h, n in ((32, 1), (224, 4), (97, 3)):
        numeric = memory(symbolic.analysis.at(f"{h}x{h}x3", N=n), "adamw").totals()
        names = set().union(*(sympy.sympify(f).free_symbols for f in formulas.values()))
        values = {s: {"H": h, "W": h, "N": n}[s.name] for s in names}
        assert {key: sympy.sympify(f).xreplace(values) for key, f in formulas.items()} == numeric


def test_saved_bytes_grow_linearly_in_the_batch_except_batchnorm_statistics() -> None:
    m = memory(symcnn.load("resnet18").analyze(batch="N", divisible=32))
    n = next(s for s in m.saved_bytes.free_symbols if s.name == "N")
    statistics = sum(2 * row.weights * 4 for row in m.analysis.rows if row.kind == "bn")
    assert m.saved_bytes.subs(n, 0) == statistics


REPEATS = [
    "input 8x8x4\nconv1-4, ((conv1-4, relu) x{n}, bn, dropout) x{m}, mul(gap, fc-4, sigmoid) x{n}",
    "input 8x8x4\nconv1-4, (id) x{n}, (sigmoid, gelu) x{m}, fc-2",
]


@pytest.mark.parametrize("text, amp", [(text, amp) for text in REPEATS for amp in (None, "bf16")] + [
    # From the input: the first time through differs (no gradient yet), the tensors saved do not.
    ("input 8x8x4\n(conv3-4, bn, relu) x{n}, res(conv3-4, relu) x{m}, pool2, fc-3", None),
    ("input 8x8x4\nres(conv3-4, relu) x{n}, (conv3-4, bn, relu) x{m}, pool2, fc-3", None),
])
def test_a_symbolic_repeat_counts_as_its_unrolled_network(text: str, amp: str | None) -> None:
    symbolic = memory(symcnn.parse(text).analyze(batch=2), "adam", amp)
    for n, m in ((1, 1), (1, 3), (2, 1), (3, 2)):
        unrolled = memory(symbolic.analysis.at(n=n, m=m), "adam", amp)
        values = {s: {"n": n, "m": m}[s.name] for s in symbolic.analysis.network.symbols.values()}
        assert sympy.sympify(symbolic.saved_bytes).xreplace(values) == unrolled.saved_bytes
        assert sympy.sympify(symbolic.activation_peak_bytes).xreplace(values) == unrolled.activation_peak_bytes
        assert sympy.sympify(symbolic.training_bytes).xreplace(values) == unrolled.training_bytes


@pytest.mark.parametrize("text, amp", [
    ("input 8x8x3\n(relu, conv3-3) x{n}", None),  # the first relu saves nothing, the others their output
    ("input 8x8x3\n(conv3-3, relu) x{n}", "bf16"),  # the first conv saves a bf16 copy of the fp32 input
])
def test_a_symbolic_repeat_that_differs_the_first_time_needs_a_count(text: str, amp: str | None) -> None:
    analysis = symcnn.parse(text).analyze()
    with pytest.raises(SymcnnError, match="give the repeat count a value"):
        memory(analysis, amp=amp)
    assert memory(analysis.at(n=2), amp=amp).saved_bytes > memory(analysis.at(n=1), amp=amp).saved_bytes


def test_cuda_keeps_bool_dropout_masks_and_fp32_batchnorm_statistics() -> None:
    vgg = symcnn.load("vgg16").analyze(batch=4).at("224x224x3")
    masks = 2 * 4 * 4096
    assert memory(vgg, device="cpu").saved_bytes - memory(vgg, device="cuda").saved_bytes == masks * (4 - 1)
    bn = symcnn.load("vgg16_bn").analyze(dtype="bf16").at("224x224x3")
    statistics, masks = sum(2 * row.weights for row in bn.rows if row.kind == "bn"), 2 * 4096
    assert memory(bn, device="cuda").saved_bytes - memory(bn, device="cpu").saved_bytes == (
        statistics * (4 - 2) - masks * (2 - 1))


def test_amp_keeps_fp32_master_weights_and_low_precision_activations() -> None:
    analysis = symcnn.load("resnet18").analyze().at("64x64x3")
    full, mixed = memory(analysis), memory(analysis, amp="fp16")
    assert mixed.param_bytes == full.param_bytes and mixed.optimizer_bytes == full.optimizer_bytes
    assert mixed.saved_bytes != full.saved_bytes


@pytest.mark.parametrize("kwargs, message", [
    ({"optimizer": "rmsprop"}, "unknown optimizer"),
    ({"amp": "fp8"}, "unknown amp"),
    ({"device": "tpu"}, "unknown device"),
])
def test_bad_settings_are_reported(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(SymcnnError, match=message):
        memory(symcnn.parse("conv3-4").analyze(), **kwargs)


@pytest.mark.parametrize("batch, message", [
    (0, "the batch size is 0"), (-2, "the batch size is -2"), ("1/2", "the batch size is 1/2"),
    (2.0, "exact values only"), ("H", "a name of the network"),
])
def test_bad_batch_sizes_are_reported(batch: Any, message: str) -> None:
    with pytest.raises(SymcnnError, match=message):
        symcnn.parse("input HxWx3\nconv3-4").analyze(batch=batch)


# ---------------------------------------------------------------------------------------------------------------------
# Outputs.

def test_the_text_output_has_a_memory_section() -> None:
    out = run(["vgg16", "--at", "224x224x3", "--batch", "4", "--optimizer", "sgd", "--device", "cpu"])
    m = memory(symcnn.load("vgg16").analyze(batch=4).at("224x224x3"), "sgd", device="cpu")
    assert "memory (batch 4, sgd, fp32, cpu)" in out
    assert re.search(rf"\n +saved for backward +{int(m.saved_bytes):,} bytes", out)
    assert re.search(rf"\n +inference peak +{int(m.inference_peak_bytes):,} bytes", out)


def test_the_json_memory_object() -> None:
    data = json.loads(run(["resnet18", "--at", "64x64x3", "--batch", "N", "--set", "N=2", "--json", "--formulas",
                           "--memory", "--amp", "bf16"]))
    m = memory(symcnn.load("resnet18").analyze(batch=2).at("64x64x3"), amp="bf16")
    assert data["batch"] == 2
    memory_json = data["memory"]
    assert memory_json["inference_peak_bytes"] == m.inference_peak_bytes
    assert memory_json["training_bytes"] == m.training_bytes
    assert sum(item["saved_bytes"] for item in memory_json["layers"]) == m.saved_bytes
    assert "N" in memory_json["formulas"]["saved_activation_bytes"]


def test_the_markdown_output_has_a_memory_table() -> None:
    out = run(["resnet18", "--at", "64x64x3", "--markdown", "--optimizer", "momentum"])
    m = memory(symcnn.load("resnet18").analyze().at("64x64x3"), "momentum")
    assert "Memory in bytes (batch 1, momentum, fp32, cuda):" in out
    assert f"| **training** | **{int(m.training_bytes):,}** |" in out
    assert f"| &nbsp;&nbsp;optimizer state | {int(m.optimizer_bytes):,} |" in out


def test_the_formula_output_shows_memory_as_closed_forms() -> None:
    out = run(["vgg16", "--batch", "N", "--formula", "--divisible", "32", "--memory", "--device", "cpu"])
    # fc2 and fc3 read 2 x 4096 fp32 values and the two dropouts keep 4096-value fp32 masks (98,304 B a sample);
    # torchvision's adaptive pool gives fc1 7x7x512 fp32 values (100,352 B) whatever the input size.
    assert "saved_activation_bytes = 1458*H*N*W + 198656*N" in out


def test_without_memory_options_there_is_no_memory_section() -> None:
    assert "memory" not in json.loads(run(["vgg16", "--at", "224x224x3", "--json"]))
    assert "saved for backward" not in run(["vgg16", "--at", "224x224x3"])


@pytest.mark.parametrize("argv, message", [
    (["vgg16", "--memory", "--csv"], "memory section"),
    (["vgg16", "--amp", "bf16", "--dtype", "fp16"], "--amp needs --dtype fp32"),
    (["vgg16", "--batch", "0"], "the batch size is 0"),
])
def test_bad_memory_options_are_reported(argv: list[str], message: str) -> None:
    with pytest.raises(SymcnnError, match=message):
        run(argv)
