"""What the numbers mean, stated once and shown with every output."""

from __future__ import annotations

MACS = ("MACs: multiply-accumulates of conv, deconv and fc layers only (bias, BatchNorm, pooling, "
        "activations and residual adds count 0), as torchvision's GFLOPS column; FLOPs = 2 x MACs")
ACTIVATIONS = ("activations: elements of every new tensor, the input included; activation functions, dropout, "
               "flatten and id work in place and count 0")
PARAMS = ("params: weights + biases + BatchNorm scale and shift; "
          "buffers (BatchNorm running mean and variance) are counted apart")


def lines(dtype: str, bytes_per_element: int) -> list[str]:
    """The conventions, with the element size in use."""
    return [MACS, f"{ACTIVATIONS}; bytes = elements x {bytes_per_element} ({dtype})", PARAMS]
