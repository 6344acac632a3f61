"""symcnn: exact, symbolic parameter, memory and operation counts for convolutional networks.

>>> import symcnn
>>> symcnn.parse("conv3-64 x2, pool2, fc-10").analyze().at("32x32x3").totals["params"]
202570
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .analysis import Analysis
from .errors import SymcnnError
from .network import Network
from .syntax import parse
from .zoo import load

if TYPE_CHECKING:
    from torch import nn

__all__ = ["parse", "load", "to_torch", "Network", "Analysis", "SymcnnError"]


def to_torch(analysis: Analysis) -> nn.Module:
    """A ``torch.nn.Module`` that computes an analysed network with concrete sizes (needs ``symcnn[torch]``).

    >>> import symcnn
    >>> net = symcnn.to_torch(symcnn.parse("conv3-16, relu, gap, fc-10").analyze().at("32x32x3"))
    >>> sum(p.numel() for p in net.parameters())
    618
    """
    try:
        from .torch_export import to_torch as build
    except ModuleNotFoundError as error:
        if error.name != "torch":
            raise
        message = "to_torch needs PyTorch, which is not installed"
        raise SymcnnError(message, hint='pip install "symcnn[torch]"') from None
    return build(analysis)
