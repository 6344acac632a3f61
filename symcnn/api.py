"""The public classes: :class:`Network` and :class:`Analysis` with their conveniences (analyse, render).

They are the core classes of :mod:`symcnn.network` and :mod:`symcnn.analysis` with the
methods that reach up to the renderers, so that the core imports nothing above itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import analysis as core_analysis
from . import network as core_network
from . import syntax, zoo
from .errors import SymcnnError
from .formats import Report, render

if TYPE_CHECKING:
    from torch import nn

    from .conventions import Counted


class Analysis(core_analysis.Analysis):
    """Per-layer rows and totals of a network, symbolic or at given values, and its outputs.

    >>> import symcnn
    >>> a = symcnn.parse("conv3-64 x2, pool2, fc-K").analyze()
    >>> a.totals["params"]
    576*C + 64*K*floor(H/2)*floor(W/2) + K + 36992
    >>> a.at("32x32x3", K=10).totals["params"]
    202570
    """

    def as_tool(self, tool: str, sides: bool = False) -> Counted:
        """The figure another tool gives for this network, per row and in total (``--as TOOL``).

        >>> import symcnn
        >>> symcnn.load("resnet50").analyze().at("224x224x3").as_tool("ptflops").total
        4132436968
        """
        from .conventions import as_tool

        return as_tool(self, tool, sides)

    def to_text(self) -> str:
        """The terminal table (the CLI's default output)."""
        return render("text", Report(self))

    def to_markdown(self, expand: bool = False) -> str:
        """A GitHub Markdown table with totals and conventions (repeated blocks collapsed unless ``expand``)."""
        return render("markdown", Report(self, expand=expand))

    def to_dict(self, formulas: bool = False) -> dict[str, Any]:
        """Plain data: what ``to_json`` serialises (``formulas``: the closed forms too, at concrete sizes)."""
        from .formats import data

        return data(Report(self, formulas=formulas))

    def to_json(self, formulas: bool = False) -> str:
        """One JSON object: input, layers, totals, conventions (and ``formulas`` on request)."""
        return render("json", Report(self, formulas=formulas))

    def to_csv(self) -> str:
        """Every row as CSV (one line per layer instance), a totals line, then the conventions."""
        return render("csv", Report(self))

    def to_latex(self, *, table: bool = True, derive: bool = False, standalone: bool = False, siunitx: bool = False,
                 expand: bool = False, symbols: Mapping[str, str] | None = None, name: str | None = None) -> str:
        r"""LaTeX for a paper: the ``booktabs`` table, the ``align*`` derivation, or a whole document.

        ``symbols`` spells names as LaTeX (``{"a": r"\alpha"}``); see :mod:`symcnn.formats.latex`.

        >>> import symcnn
        >>> "138{,}357{,}544" in symcnn.load("vgg16").analyze().at("224x224x3").to_latex()
        True
        """
        return render("latex", Report(self, table=table, derive=derive, standalone=standalone, siunitx=siunitx,
                                      expand=expand, symbols=dict(symbols or {}), name=name))

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return render("html", Report(self))

    def _repr_latex_(self) -> str:
        from .formats import derivation, tex

        return derivation.summary(tex.Printer(), self)


@dataclasses.dataclass(frozen=True)
class Network(core_network.Network):
    """A parsed network: its input shape, its definitions and its body (and the text it was read from).

    >>> import symcnn
    >>> net = symcnn.parse("input 32x32x3\\nconv3-16, relu, gap, fc-10")
    >>> net.input
    (32, 32, 3)
    >>> net.analyze().totals["params"]
    618
    """

    def analyze(self, dtype: str = "fp32", divisible: int | None = None, batch: Any = 1) -> Analysis:
        """Analyse the network symbolically (names stay names); see :class:`Analysis`.

        ``batch`` multiplies activations and MACs: a number, or a name such as ``"N"``.
        """
        return core_analysis.analyze(self, dtype=dtype, divisible=divisible, batch=batch,  # type: ignore[return-value]
                                     cls=Analysis)


    def to_notation(self) -> str:
        """The network in the notation: the text it was read from, or for an imported model the text written
        for it (repeated modules as definitions), which parses back to the same network.

        >>> import symcnn
        >>> symcnn.parse("conv3-8, relu").to_notation()
        'conv3-8, relu'
        """
        return self.text


def public(network: core_network.Network) -> Network:
    """The public :class:`Network` of a core one (the same data)."""
    if isinstance(network, Network):
        return network
    return Network(**{f.name: getattr(network, f.name) for f in dataclasses.fields(network)})


def parse(text: str) -> Network:
    """Parse the notation into a :class:`Network`.

    >>> import symcnn
    >>> net = symcnn.parse("conv3-64 x2, pool2, fc-K")
    >>> [type(item).__name__ for item in net.body.items]
    ['Repeat', 'Pool', 'FC']
    """
    return public(syntax.parse(text))


def load(name: str) -> Network:
    """A built-in model by name.

    >>> import symcnn
    >>> symcnn.load("vgg16").analyze().at("224x224x3").totals["macs"]
    15470264320
    """
    return public(zoo.load(name))


def from_torch(module: nn.Module, input_size: Any, allow_uncounted: bool = False) -> Network:
    """The network a PyTorch module computes, read with ``torch.fx``: symbolic in the input's height and width.

    ``input_size`` is (C, H, W), the size it is traced at (or an example (N, C, H, W) tensor).
    An operation symcnn cannot count is an error listing each one, where it runs and how often;
    ``allow_uncounted`` keeps them as ``uncounted`` layers that every output names.

    >>> import symcnn, torch
    >>> model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten())
    >>> net = symcnn.from_torch(model, (3, 32, 32))
    >>> print(net.to_notation())
    input HxWx3
    conv3-8, relu, flatten
    <BLANKLINE>
    >>> net.analyze().totals["params"]
    224
    """
    try:
        from .importers.pytorch import from_torch as read
    except ModuleNotFoundError as error:
        if error.name != "torch":
            raise
        raise SymcnnError("from_torch needs PyTorch, which is not installed", hint='pip install "symcnn[torch]"') from None
    return public(read(module, input_size, allow_uncounted))


def from_onnx(path: Any, input_size: Any = None, allow_uncounted: bool = False) -> Network:
    """The network an ONNX file computes (read with the ``onnx`` package, no runtime), as :func:`from_torch`.

    ``input_size`` (C, H, W) fixes the sizes the file leaves open.
    """
    from .importers.onnx_graph import from_onnx as read

    return public(read(path, input_size, allow_uncounted))


def to_torch(analysis: Analysis) -> nn.Module:
    """A ``torch.nn.Module`` that computes an analysed network with concrete sizes (needs ``symcnn[torch]``).

    >>> import symcnn
    >>> net = symcnn.to_torch(symcnn.parse("conv3-16, relu, gap, fc-10").analyze().at("32x32x3"))
    >>> sum(p.numel() for p in net.parameters())
    618
    """
    if not isinstance(analysis, core_analysis.Analysis):
        given = f"a {type(analysis).__name__}" + (f" ({analysis!r})" if isinstance(analysis, str) else "")
        raise SymcnnError(f"to_torch takes an analysis with concrete sizes, not {given}",
                          hint="symcnn.to_torch(symcnn.load('vgg16').analyze().at('224x224x3'))")
    try:
        from .torch_export import to_torch as build
    except ModuleNotFoundError as error:
        if error.name != "torch":
            raise
        message = "to_torch needs PyTorch, which is not installed"
        raise SymcnnError(message, hint='pip install "symcnn[torch]"') from None
    return build(analysis)
