"""symcnn: exact, symbolic parameter, memory and operation counts for convolutional networks.

>>> import symcnn
>>> symcnn.parse("conv3-64 x2, pool2, fc-10").analyze().at("32x32x3").totals["params"]
202570
"""

from __future__ import annotations

from .api import Analysis, Network, from_onnx, from_torch, load, parse, to_torch
from .errors import SymcnnError

__all__ = ["Analysis", "Network", "SymcnnError", "from_onnx", "from_torch", "load", "parse", "to_torch"]
