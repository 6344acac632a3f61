"""Names and sizes shared by every layer of symcnn: element sizes, the totals, what the numbers mean.

This module imports nothing of symcnn, so that anything may use it.
"""

from __future__ import annotations

DTYPE_BYTES = {"fp16": 2, "bf16": 2, "fp32": 4, "fp64": 8}
"""Bytes per element of each element type (``--dtype``)."""

TOTAL_KEYS = ("params", "weights", "biases", "buffers", "macs", "flops", "activations", "activation_bytes",
              "param_bytes")
"""The totals of an analysis, in the order every output shows them."""

COST_KEYS = ("weights", "biases", "buffers", "macs", "activations")
"""The costs each row carries; the totals are their sums (and the figures made from them)."""

INPUT_SIZES = ("H_in", "W_in", "C_in")
"""Names bound, inside a definition or a branch, to the height, width and channels entering it."""

MACS = ("MACs: multiply-accumulates of conv, deconv and fc layers only (bias, BatchNorm, pooling, "
        "activations and residual adds count 0), as torchvision's GFLOPS column; FLOPs = 2 x MACs")
ACTIVATIONS = ("activations: elements of every new tensor, the input included; activation functions, dropout, "
               "flatten and id work in place and count 0")
PARAMS = ("params: weights + biases + BatchNorm scale and shift; "
          "buffers (BatchNorm running mean and variance) are counted apart")


def conventions(dtype: str) -> list[str]:
    """The conventions, with the element size in use: printed with every output.

    >>> conventions("fp16")[1].endswith("bytes = elements x 2 (fp16)")
    True
    """
    return [MACS, f"{ACTIVATIONS}; bytes = elements x {DTYPE_BYTES[dtype]} ({dtype})", PARAMS]
