"""The ``torch=last`` form's module: a layer run on a channels-last tensor (ConvNeXt's ``nn.Linear`` and ``nn.LayerNorm``).

The other forms need nothing of a kind: ``torch=function`` is the kind's own module called
without its hooks (:mod:`symcnn.torch_export`), and ``torch=mean`` is global pooling's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn


def channels_last(inner: nn.Module) -> nn.Module:
    """``inner`` applied to the (N, H, W, C) permutation of its (N, C, H, W) input, the result permuted back."""
    import torch
    from torch import nn

    class ChannelsLast(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, value: torch.Tensor) -> torch.Tensor:
            # contiguous, as after torchvision's Permute and LayerNorm: nn.Linear then runs as one addmm
            return self.inner(value.permute(0, 2, 3, 1).contiguous()).permute(0, 3, 1, 2)

    return ChannelsLast()
