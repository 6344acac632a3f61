"""Memory: the inference peak of sequential execution, and what training holds.

Training memory is parameters + buffers + gradients + optimizer state + the tensors
the forward pass saves for the backward pass. What each operation saves is what
PyTorch 2.13 saves: each layer kind says it (``saves`` and ``saved`` in
:mod:`symcnn.layers`); ``tests/test_memory.py`` checks each rule and whole networks
against ``torch.autograd.graph.saved_tensors_hooks``. A tensor saved by several
operations counts once, and a saved parameter or buffer counts zero times (it is counted
as a parameter or a buffer). Every figure is exact: an int at concrete sizes, a SymPy
expression in the network's names and the batch size otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import arith
from ..analysis import Analysis
from ..arith import Bound
from ..constants import DTYPE_BYTES
from ..errors import SymcnnError
from ..layers import LayerProblem
from ..walk import BlockKind
from .flow import Inference, Training
from .saved import Saved, peak, total

__all__ = ["AMP_DTYPES", "DEVICES", "OPTIMIZER_COPIES", "STEP_BYTES", "Memory", "Saved", "memory", "peak", "rules"]

OPTIMIZER_COPIES = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}
"""Copies of the parameters an optimizer keeps: SGD none, SGD with momentum its momentum buffer,
Adam and AdamW the first and second moments (``exp_avg``, ``exp_avg_sq``)."""

STEP_BYTES = 4
"""Adam and AdamW also keep a step counter per parameter tensor: a 0-dim float32 tensor."""

AMP_DTYPES = ("fp16", "bf16")
DEVICES = ("cuda", "cpu")
NUM_BATCHES_TRACKED_BYTES = 8  # the int64 counter every norm with running statistics keeps as a buffer
JOIN_SAVES = {BlockKind.RES: "nothing", BlockKind.CONCAT: "nothing", BlockKind.SPLIT: "nothing",
              BlockKind.MUL: "both operands"}


@dataclass(frozen=True)
class Memory:
    """Inference and training memory of an analysed network, in bytes.

    >>> import symcnn
    >>> m = memory(symcnn.parse("input 8x8x3\\nconv3-4, relu, pool2, fc-10").analyze(batch=2), "sgd")
    >>> m.live  # bytes of activations alive while each row runs
    {0: 1536, 1: 3584, 2: 2048, 3: 3584, 4: 592}
    >>> m.saved_bytes  # the conv input, the relu output, the pool indices, the fc input
    5120
    """

    analysis: Analysis
    optimizer: str
    amp: str | None
    device: str
    live: dict[int, Bound]
    saved: tuple[Saved, ...]

    @property
    def batch(self) -> Bound:
        return self.analysis.batch_size

    @property
    def _param_size(self) -> int:
        return DTYPE_BYTES[self.analysis.dtype]

    @property
    def _params(self) -> Bound:
        side = self.analysis.side_totals
        return self.analysis.totals["params"] + (side["params"] if side else 0)

    @property
    def param_bytes(self) -> Bound:
        return self._params * self._param_size

    @property
    def buffer_bytes(self) -> Bound:
        """Running statistics of the norms, and the int64 ``num_batches_tracked`` each such norm keeps."""
        rows = self.analysis.rows
        norms = total(row.count for row in rows if row.buffers != 0)
        return total(row.buffers * row.count for row in rows) * self._param_size + NUM_BATCHES_TRACKED_BYTES * norms

    @property
    def activation_peak_bytes(self) -> Bound:
        """The most activation bytes alive at once in an inference forward pass (with autocast's weight copies)."""
        return peak(self.live.values())

    @property
    def inference_peak_bytes(self) -> Bound:
        return self.param_bytes + self.buffer_bytes + self.activation_peak_bytes

    @property
    def gradient_bytes(self) -> Bound:
        return self.param_bytes

    @property
    def optimizer_bytes(self) -> Bound:
        state = OPTIMIZER_COPIES[self.optimizer] * self.param_bytes
        if self.optimizer in ("adam", "adamw"):
            tensors = total((int(row.weights != 0) + int(row.biases != 0)) * row.count for row in self.analysis.rows)
            state += STEP_BYTES * tensors
        return state

    @property
    def saved_bytes(self) -> Bound:
        """Bytes of the distinct tensors the forward pass saves for backward."""
        found = total(s.bytes for s in self.saved)
        if arith.numeric(found):
            return found
        import sympy

        return arith.norm(sympy.expand(found))

    @property
    def training_bytes(self) -> Bound:
        return self.param_bytes + self.buffer_bytes + self.gradient_bytes + self.optimizer_bytes + self.saved_bytes

    def saved_by_row(self) -> dict[int, Bound]:
        """Saved bytes per row, 0 for most (a tensor saved by several rows counts at the first)."""
        out: dict[int, Bound] = {row.index: 0 for row in self.analysis.rows}
        for s in self.saved:
            out[s.row] += s.bytes
        return out

    def formulas(self) -> dict[str, Bound]:
        """:meth:`totals` of the network as declared, with no values bound."""
        return memory(self.analysis.symbolic, self.optimizer, self.amp, self.device).totals()

    def parts(self) -> list[tuple[str, str]]:
        """(key of :meth:`totals`, label) of each figure, in the order to show them."""
        peak_label = "activations and autocast's weight copies at the peak" if self.amp else \
            LABELS["activation_peak_bytes"]
        return ([("inference_peak_bytes", "inference peak")]
                + [(key, "  " + LABELS[key]) for key in ("param_bytes", "buffer_bytes")]
                + [("activation_peak_bytes", "  " + peak_label), ("training_bytes", "training")]
                + [(key, "  " + LABELS[key]) for key in ("param_bytes", "buffer_bytes", "gradient_bytes",
                                                         "optimizer_bytes", "saved_activation_bytes")])

    def describe(self) -> str:
        """The settings in words.

        >>> import symcnn
        >>> memory(symcnn.load("vgg16").analyze(batch="N").at(N=8), amp="bf16").describe()
        'batch N = 8, adam, fp32 weights, bf16 activations (amp), cuda'
        """
        dtype, declared = self.analysis.dtype, self.analysis.batch
        shown = arith.text(declared) if arith.numeric(declared) else declared.name  # type: ignore[union-attr]
        batch = shown if arith.numeric(declared) else f"{shown} = {arith.text(self.batch)}" \
            if arith.numeric(self.batch) else shown
        precision = f"{dtype} weights, {self.amp} activations (amp)" if self.amp else dtype
        return f"batch {batch}, {self.optimizer}, {precision}, {self.device}"

    def totals(self) -> dict[str, Bound]:
        """Every figure by name: the keys of the JSON ``memory`` object."""
        return {
            "param_bytes": self.param_bytes,
            "buffer_bytes": self.buffer_bytes,
            "activation_peak_bytes": self.activation_peak_bytes,
            "inference_peak_bytes": self.inference_peak_bytes,
            "gradient_bytes": self.gradient_bytes,
            "optimizer_bytes": self.optimizer_bytes,
            "saved_activation_bytes": self.saved_bytes,
            "training_bytes": self.training_bytes,
        }


LABELS = {
    "param_bytes": "parameters",
    "buffer_bytes": "buffers",
    "activation_peak_bytes": "activations at the peak",
    "gradient_bytes": "gradients",
    "optimizer_bytes": "optimizer state",
    "saved_activation_bytes": "saved for backward",
}


def memory(analysis: Analysis, optimizer: str = "adam", amp: str | None = None, device: str = "cuda") -> Memory:
    """The memory of ``analysis`` at its batch size, dtype and values.

    ``optimizer`` is sgd, momentum, adam or adamw; ``amp`` (fp16 or bf16) runs the
    activations in that type with master weights in the analysis dtype (fp32); ``device``
    is cuda or cpu (they differ in the dropout mask and the BatchNorm statistics).

    >>> import symcnn
    >>> m = memory(symcnn.load("vgg16").analyze(batch="N", divisible=32), "sgd", device="cpu")
    >>> m.saved_bytes
    1458*H*N*W + 198656*N
    >>> memory(m.analysis.at("224x224x3", N=1), "sgd", device="cpu").saved_bytes
    73355264
    """
    if optimizer not in OPTIMIZER_COPIES:
        raise SymcnnError(f"unknown optimizer '{optimizer}'; choose one of {', '.join(OPTIMIZER_COPIES)}")
    if amp is not None and amp not in AMP_DTYPES:
        raise SymcnnError(f"unknown amp type '{amp}'; choose one of {', '.join(AMP_DTYPES)}")
    if amp is not None and analysis.dtype != "fp32":
        raise SymcnnError(f"mixed precision keeps fp32 master weights; --amp needs --dtype fp32, not {analysis.dtype}")
    if device not in DEVICES:
        raise SymcnnError(f"unknown device '{device}'; choose one of {', '.join(DEVICES)}")
    live = Inference(analysis, amp, device).run_all(analysis.tree)
    try:
        saved = Training(analysis, amp, device).run_all(analysis.tree)
    except LayerProblem as problem:
        raise SymcnnError(str(problem)) from None
    return Memory(analysis, optimizer, amp, device, live, saved)


def rules() -> list[tuple[str, str, str]]:
    """(layer, what it saves for backward, PyTorch node) for the README's saved-tensor table, from the registry."""
    from ..layers import kinds

    return [(kind.syntax, kind.saves_doc, kind.torch_node) for kind in kinds()  # type: ignore[attr-defined]
            if kind.saves_doc]
