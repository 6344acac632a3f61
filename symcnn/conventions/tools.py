"""Each tool's convention as data: for each layer kind, the rule the tool counts it by.

A kind a tool does not list counts 0 for it. The rules are for the tool versions named in each
title, run on a model in inference mode, batch first, and were checked against the real tools on
``symcnn.to_torch`` exports and torchvision's models (``tests/test_conventions.py``).
"""

from __future__ import annotations

from .. import arith
from ..layers.lrn import SIZE as LRN_SIZE
from .rules import Convention, Item, Rule

MACS = Rule("MACs", lambda i: i.macs)
MACS_BIAS = Rule("MACs + 1 per output element (bias)", lambda i: i.macs + i.bias)
POOLS = ("maxpool", "avgpool", "gap", "gmp", "apool")
CONVS = ("conv", "dwconv")
COUNTED = (*CONVS, "deconv", "fc")  # the layers symcnn's own MACs count


def per_in(k: int, wrong: str = "") -> Rule:
    return Rule(f"{k} per input element", lambda i: k * i.inp, wrong)


def per_out(k: int, wrong: str = "") -> Rule:
    return Rule(f"{k} per output element", lambda i: k * i.out, wrong)


def norm(affine: int, plain: int) -> Rule:
    return Rule(f"{affine} per element ({plain} without scale and shift)",
                lambda i: (affine if i.affine else plain) * i.inp)


def _output_sized_deconv(i: Item) -> object:
    h, w, c = i.input
    return arith.div(i.macs * i.row.output[0] * i.row.output[1], h * w)


DECONV_BY_OUTPUT = "counts a transposed conv at every output position, as if it were a conv: stride^2 times too many"


def _adaptive_mean(i: Item) -> object:
    h, w, _ = i.input
    return (arith.div(h * w, i.row.output[0] * i.row.output[1]) + 1) * i.out


def _lrn(i: Item) -> object:
    """F.local_response_norm: x*x, its window mean over C + 4 padded channels, then *alpha and +k."""
    h, w, c = i.input
    return 3 * i.inp + i.batch * (c + LRN_SIZE - 1) * h * w


LRN = Rule("3 per element + the padded window average", _lrn)
TWICE = "counted twice: the module's hook and the patched torch.nn.functional call both fire"

PTFLOPS = Convention(
    "ptflops", "ptflops 0.7.5", "MACs",
    "ptflops/pytorch_ops.py: MODULES_MAPPING and FUNCTIONAL_MAPPING (backend='pytorch', the default)",
    {
        **{k: MACS_BIAS for k in COUNTED},
        "bn": norm(2, 1), "gn": norm(2, 1), "inorm": norm(2, 1),
        "relu": per_out(2, TWICE), "gelu": per_out(2, TWICE),
        "relu6": per_out(1), "lrelu": per_out(1), "silu": per_out(1), "swish": per_out(1), "softmax": per_in(1),
        **{k: per_in(2, TWICE) for k in POOLS},
        "upsample": per_out(2, TWICE), "resize": per_out(1), "lrn": LRN,
        # called as functions, only the patched torch.nn.functional count is left
        "relu:function": per_out(1), "gelu:function": per_out(1), "relu6:function": per_out(0),
        "lrelu:function": per_out(0), **{f"{k}:function": per_in(1) for k in POOLS},
        "ln:last": Rule("1 per element (nn.LayerNorm has no 'affine' attribute for it to see)", lambda i: i.inp),
    })

PTFLOPS_ATEN = Convention(
    "ptflops-aten", "ptflops 0.7.5 (aten backend)", "MACs",
    "ptflops/aten_ops.py: ATEN_OPS_MAPPING (aten.mm, aten.addmm, aten.bmm, aten.convolution)",
    {k: MACS_BIAS for k in COUNTED})

THOP = Convention(
    "thop", "thop 0.1.1", "MACs",
    "thop/profile.py: register_hooks; thop/vision/basic_hooks.py and calc_func.py",
    {
        **{k: MACS for k in CONVS}, "fc": MACS,
        "deconv": Rule("MACs at each output position", _output_sized_deconv, DECONV_BY_OUTPUT),
        "bn": norm(4, 2), "inorm": norm(4, 2),
        "softmax": Rule("3 per element - 1 per softmax", lambda i: 3 * i.inp - arith.div(i.inp, i.input[2])),
        "avgpool": per_out(1), "gap": Rule("(H·W / (h·w) + 1) per output element", _adaptive_mean),
        "apool": Rule("(H·W / (h·w) + 1) per output element", _adaptive_mean),
        "upsample": per_out(1), "ln:last": norm(4, 2),
    }, hooks=True)

FVCORE = Convention(
    "fvcore", "fvcore 0.1.5", "MACs",
    "fvcore/nn/flop_count.py: _DEFAULT_SUPPORTED_OPS; fvcore/nn/jit_handles.py (inference mode)",
    {
        **{k: MACS for k in COUNTED},
        "bn": norm(2, 1), "gn": norm(5, 4), "ln": norm(5, 4), "inorm": norm(5, 4),
        "gap": per_in(1), "apool": per_in(1), "upsample": per_out(1),
        "resize": Rule("1 per output element (4 when bilinear)",
                       lambda i: (4 if getattr(i.row.layer.mode, "word", "") == "bilinear" else 1) * i.out),
    },
    note="ops it has no handle for (ReLU, max-pool, adds, …) count 0, with a warning")

TORCHINFO = Convention(
    "torchinfo", "torchinfo 1.8.0", "MACs",
    "torchinfo/layer_info.py: LayerInfo.calculate_macs (params x output positions for Conv, params x batch else)",
    {
        **{k: MACS_BIAS for k in (*CONVS, "fc")},
        "deconv": Rule("(weights + bias) at each output position", lambda i: _output_sized_deconv(i) + i.bias,
                       DECONV_BY_OUTPUT),
        **{k: Rule("its params, once per sample", lambda i: i.batch * i.params) for k in ("bn", "ln", "gn", "inorm")},
        "conv:last": Rule("its params, once per sample (nn.Linear: not at each position)", lambda i: i.batch * i.params,
                          "an nn.Linear on a channels-last tensor is counted once per sample, not at each position"),
    }, hooks=True)

FLOP_COUNTER = Convention(
    "flop_counter", "torch.utils.flop_counter (torch 2.13)", "FLOPs",
    "torch/utils/flop_counter.py: FlopCounterMode (mm, addmm, bmm, convolution: 2 per multiply-accumulate)",
    {k: Rule("2 x MACs", lambda i: 2 * i.macs) for k in COUNTED})

TORCHVISION = Convention(
    "torchvision", "torchvision's GFLOPS column", "MACs",
    "torchvision/models/*.py: each weight's meta['_ops'] (GFLOPS to three decimals; multiply-accumulates of conv and "
    "linear layers)",
    {k: MACS for k in COUNTED}, decimals=3)

DEEPSPEED = Convention(
    "deepspeed", "DeepSpeed 0.19.8 flops profiler", "FLOPs",
    "deepspeed/profiling/flops_profiler/profiler.py: _patch_functionals and the *_flops_compute functions",
    {
        **{k: Rule("2 x MACs + 1 per output element (bias)", lambda i: 2 * i.macs + i.bias) for k in (*CONVS, "deconv")},
        "fc": Rule("2 x MACs", lambda i: 2 * i.macs),
        "bn": norm(2, 1), "ln": norm(5, 4), "gn": norm(5, 4), "inorm": norm(5, 4),
        "relu": per_out(1), "lrelu": per_out(1), "silu": per_out(1), "swish": per_out(1), "gelu": per_out(1),
        "softmax": per_in(1), **{k: per_in(1) for k in POOLS}, "upsample": per_out(1),
        "resize": Rule("1 per output position of one channel", lambda i: i.row.output[0] * i.row.output[1],
                       "F.interpolate(size=...) is counted as the size alone: not times the channels or the batch"),
        "lrn": LRN,
        "conv:last": Rule("2 x MACs (F.linear: no bias)", lambda i: 2 * i.macs),
    })

DEEPSPEED_MACS = Convention(
    "deepspeed-macs", "DeepSpeed 0.19.8 flops profiler", "MACs",
    "deepspeed/profiling/flops_profiler/profiler.py: the MACs each *_flops_compute returns",
    {k: MACS for k in COUNTED})

KERAS = Convention(
    "keras", "Keras model.summary()", "params",
    "keras/src/utils/summary_utils.py: Total = trainable + non-trainable weights; BatchNormalization's moving "
    "mean and variance are non-trainable weights",
    {}, note="Total params = params + buffers; Trainable params = params; Non-trainable params = buffers")

TOOLS: dict[str, Convention] = {c.name: c for c in (
    PTFLOPS, PTFLOPS_ATEN, THOP, FVCORE, TORCHINFO, FLOP_COUNTER, TORCHVISION, DEEPSPEED, DEEPSPEED_MACS, KERAS)}
"""Every tool ``--as`` knows, by name."""
