"""``flatten`` and ``id``: no new tensor, in inference or training (torch returns a view or the input)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .base import Cost, Layer, LayerProblem, Shape, elements, register
from .imported import Imported

if TYPE_CHECKING:
    from torch import nn


@register
@dataclass(frozen=True)
class View(Layer):
    """``flatten`` (to 1×1×HWC) and ``id`` (the identity, as a branch of ``concat`` or ``res``)."""

    name: str

    rank: ClassVar[int] = 70
    words: ClassVar[dict[str, dict[str, Any]]] = {"flatten": {"name": "flatten"}, "id": {"name": "id"}}
    hint = "flatten and id are written alone"
    syntax: ClassVar[str] = "`flatten`, `id`"
    doc = "flatten gives 1×1×HWC; id is the identity (a branch of `concat` or `res`); both views, no new tensor"
    saves_doc = "nothing"
    torch_node = "`ViewBackward0`"
    in_place = True
    view = True
    imports = ("Flatten", "Identity", "flatten")

    @classmethod
    def imported(cls, a: Imported) -> Layer:
        if a.op == "Identity":
            return cls("id")
        if a.get("start_dim", 0 if a.op == "flatten" else 1) != 1 or a.get("end_dim", -1) != -1:
            raise LayerProblem(f"a flatten of dimensions {a.get('start_dim')} to {a.get('end_dim')}")
        return cls("flatten")

    @property
    def flat(self) -> str:  # type: ignore[override]
        return "flattens" if self.name == "flatten" else "any"

    def cost(self, x: Shape) -> Cost:
        return Cost((1, 1, elements(x)) if self.name == "flatten" else x, 0, 0, 0, 0, 0)

    def torch(self, x: tuple[int, int, int], out: tuple[int, int, int], flat: bool) -> nn.Module:
        from torch import nn

        return nn.Flatten() if self.name == "flatten" else nn.Identity()


FLATTEN = View("flatten")
IDENTITY = View("id")
