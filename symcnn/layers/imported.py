"""What a layer kind is told of a PyTorch operation it reads back (:meth:`symcnn.layers.base.Layer.imported`)."""

from __future__ import annotations

from typing import Any, Protocol


class Imported(Protocol):
    """One PyTorch operation as an importer hands it to a kind (:attr:`Layer.imports`).

    ``op`` is a ``torch.nn`` module class name (``Conv2d``) or a ``torch.nn.functional`` function
    name (``relu``); :meth:`get` reads its arguments by their PyTorch names (``kernel_size``;
    ``bias`` is true when the module has one); ``channels`` are those of its input.
    """

    op: str
    channels: int

    def get(self, name: str, default: Any = None) -> Any: ...


def imported_pair(value: Any) -> tuple[int, int]:
    """A PyTorch size argument (3, or (3, 5)) as a pair."""
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def imported_option(pair: tuple[int, int]) -> Any:
    """A pair for a stride, padding or dilation field: one value when both agree (as the parser stores it)."""
    return pair[0] if pair[0] == pair[1] else pair
