"""A traced model as a graph of layers and joins, taken apart into the notation's blocks.

The importers (:mod:`.torch_fx`, :mod:`.onnx_graph`) reduce a model to :class:`Node` s: its
input, layers (a :class:`~symcnn.layers.Layer` each), and the joins the notation writes as
blocks: ``add`` (``res``), ``mul`` (``mul``), ``cat`` (``concat``), ``split`` with its
``part`` s (``split``). :func:`blocks` finds, from each fork, the node where every path meets
again (its immediate post-dominator) and makes the paths between the branches of one block;
the outputs besides the first become ``side`` blocks. A graph that does not come apart this way
(paths that cross between branches) is an :class:`~symcnn.errors.SymcnnError`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from ..errors import SymcnnError
from ..layers import Layer
from ..values import Name

Owners = tuple[tuple[str, str], ...]
"""The modules a node runs in, outermost first: (path, class name)."""

JOINS = {"add": "res", "mul": "mul", "cat": "concat"}


@dataclass
class Node:
    """One operation. ``inputs`` are the nodes whose tensors it reads; ``index`` is a ``part``'s chunk."""

    name: str
    op: str
    inputs: tuple[str, ...] = ()
    layer: Layer | None = None
    owners: Owners = ()
    index: int = 0
    shape: tuple[int, ...] | None = None
    own: bool = False
    """A layer that is a module of its own (the last of ``owners``), not a function called in one."""
    target: str | None = None
    """A resize's: the node whose height and width it resizes to (``F.interpolate(x, size=t.shape[-2:])``)."""


@dataclass
class Graph:
    """Nodes in the order they run; ``outputs``: the main output first, then the side outputs."""

    nodes: dict[str, Node] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)

    def add(self, node: Node) -> Node:
        self.nodes[node.name] = node
        return node


@dataclass
class Leaf:
    layer: Layer
    owners: Owners
    own: bool = False


@dataclass
class Join:
    """A block: ``res``, ``mul``, ``concat``, ``split`` or ``side``; an empty branch is the identity."""

    kind: str
    branches: list[list[Item]]
    owners: Owners


Item = Leaf | Join


def merge_concats(graph: Graph) -> None:
    """``cat([x0, …, xk])`` after ``cat([x0, …, xk-1])`` as ``cat(previous, xk)`` (DenseNet's growing concat).

    The tensors are the same; written so, each layer's concatenation is one ``concat(id | layer)``.
    A concatenation of one tensor is that tensor.
    """
    seen: dict[tuple[str, ...], str] = {}
    alias: dict[str, str] = {}
    for node in list(graph.nodes.values()):
        node.inputs = tuple(alias.get(i, i) for i in node.inputs)
        if node.op != "cat":
            continue
        original = node.inputs
        if len(original) == 1:
            alias[node.name] = original[0]
            del graph.nodes[node.name]
            continue
        before = seen.get(original[:-1]) if len(original) > 2 else None
        seen[original] = node.name
        if before is not None:
            node.inputs = (before, original[-1])
    graph.outputs = [alias.get(o, o) for o in graph.outputs]


class _Bits:
    """Descendants and ancestors of every node, as bit sets over the run order."""

    def __init__(self, graph: Graph) -> None:
        self.order = list(graph.nodes)
        self.pos = {name: i for i, name in enumerate(self.order)}
        self.nodes = graph.nodes
        self.users: dict[str, list[str]] = {name: [] for name in self.order}
        for node in graph.nodes.values():
            for i in dict.fromkeys(node.inputs):
                self.users[i].append(node.name)
        self.anc: dict[str, int] = {}
        for name in self.order:
            bits = 0
            for i in self.nodes[name].inputs:
                bits |= self.anc[i] | self.bit(i)
            self.anc[name] = bits
        self.desc: dict[str, int] = {}
        for name in reversed(self.order):
            bits = 0
            for u in self.users[name]:
                bits |= self.desc[u] | self.bit(u)
            self.desc[name] = bits

    def bit(self, name: str) -> int:
        return 1 << self.pos[name]

    def between(self, start: str, stop: str) -> int:
        """The nodes on paths from ``start`` (excluded) to ``stop`` (included)."""
        return self.desc[start] & (self.anc[stop] | self.bit(stop))


def blocks(graph: Graph, source: str, notes: list[str]) -> list[Item]:
    """The items of the notation that compute the main output from ``source``, side outputs as ``side`` blocks.

    A resize to another tensor's size is written to the input's size (``{H}x{W}``) or to the size
    entering its branch (``{H_in}x{W_in}``) when it is one of those; otherwise it keeps the traced
    size, and ``notes`` says so.
    """
    bits = _Bits(graph)
    main = graph.outputs[0]
    on_main = bits.anc[main] | bits.bit(main)
    sides: dict[str, list[str]] = {}
    for side in graph.outputs[1:]:
        own = (bits.anc[side] | bits.bit(side)) & ~on_main
        starts = [m for m in bits.order if on_main >> bits.pos[m] & 1 and any(
            own >> bits.pos[u] & 1 for u in bits.users[m])]
        if len(starts) != 1:
            raise SymcnnError(f"the output '{side}' branches off the main path at {len(starts)} places; symcnn "
                              "writes a side output as one branch off one point (side(…))")
        sides.setdefault(starts[0], []).append(side)
    return _Chain(bits, sides, source, notes).run(source, main, bits.between(source, main))


class _Chain:
    def __init__(self, bits: _Bits, sides: dict[str, list[str]], source: str, notes: list[str]) -> None:
        self.bits = bits
        self.sides = sides
        self.source = source
        self.notes = notes

    def leaf(self, node: Node, entry: str) -> Leaf:
        layer = node.layer
        assert layer is not None
        if node.target is not None:
            names = {entry: ("H_in", "W_in"), self.source: ("H", "W")}.get(node.target)
            if names is None:
                self.notes.append(f"{node.owners[-1][0] if node.owners else node.name}: a resize to the size of "
                                  f"'{node.target}' ({layer.notation()}), which holds only at the traced size")
            else:
                layer = dataclasses.replace(layer, size=(Name(names[0]), Name(names[1])))
        return Leaf(layer, node.owners, node.own)

    def run(self, start: str, stop: str, region: int) -> list[Item]:
        """The items from the tensor of ``start`` to that of ``stop`` over the nodes of ``region``."""
        bits, nodes = self.bits, self.bits.nodes
        pdom = self._postdominators(stop, region)
        items: list[Item] = []
        v = start
        while True:
            for side in self.sides.pop(v, []):
                body = self.run(v, side, bits.between(v, side))
                items.append(Join("side", [body], _common(nodes[side].owners, [body])))
            if v == stop:
                return items
            users = [u for u in bits.users[v] if region >> bits.pos[u] & 1]
            if not users:
                raise SymcnnError(f"the graph has no path from '{v}' to '{stop}'")
            first = nodes[users[0]]
            if len(users) == 1 and first.op == "layer":
                assert first.layer is not None
                items.append(self.leaf(first, start))
                v = first.name
                continue
            if len(users) == 1 and first.op == "split":
                v = self._split(first, region, pdom, items)
                continue
            j = self._next(v, pdom)
            join = nodes[j]
            if join.op not in JOINS:
                raise SymcnnError(f"the paths from '{v}' meet again at '{j}', which is not an addition, a "
                                  "multiplication or a concatenation")
            seen = 0
            branches = []
            for x in join.inputs:
                if x == v:
                    branches.append([])
                    continue
                inner = bits.between(v, x)
                if inner & seen:
                    raise SymcnnError(f"the branches from '{v}' to '{j}' share operations: symcnn writes "
                                      "branches that run apart until they meet")
                seen |= inner
                branches.append(self.run(v, x, inner))
            items.append(Join(JOINS[join.op], branches, _common(join.owners, branches)))
            v = j

    def _split(self, split: Node, region: int, pdom: dict[str, int], items: list[Item]) -> str:
        bits, nodes = self.bits, self.bits.nodes
        j = self._next(split.name, pdom)
        join = nodes[j]
        parts = sorted((nodes[u] for u in bits.users[split.name]), key=lambda n: n.index)
        if join.op != "cat" or len(join.inputs) != len(parts) or len(parts) < 2 or any(
                not (x == p.name or bits.anc[x] >> bits.pos[p.name] & 1) for p, x in zip(parts, join.inputs)):
            raise SymcnnError(f"the chunks of '{split.name}' are not concatenated again in their order; symcnn "
                              "writes a channel split as split(a | b) ending in one concatenation")
        branches = [[] if x == p.name else self.run(p.name, x, bits.between(p.name, x))
                    for p, x in zip(parts, join.inputs)]
        items.append(Join("split", branches, _common(join.owners, branches)))
        return j

    def _postdominators(self, stop: str, region: int) -> dict[str, int]:
        """For each node of ``region`` reaching ``stop``, the nodes every path from it to ``stop`` passes."""
        bits = self.bits
        pdom: dict[str, int] = {stop: bits.bit(stop)}
        for name in reversed(bits.order):
            if name == stop or not region >> bits.pos[name] & 1:
                continue
            inside = [pdom[u] for u in bits.users[name] if u in pdom and region >> bits.pos[u] & 1]
            if inside:
                common = inside[0]
                for other in inside[1:]:
                    common &= other
                pdom[name] = common | bits.bit(name)
        return pdom

    def _next(self, v: str, pdom: dict[str, int]) -> str:
        """The first node after ``v`` that every path from it passes (its immediate post-dominator)."""
        bits = self.bits
        users = [pdom[u] for u in bits.users[v] if u in pdom]
        if not users:
            raise SymcnnError(f"no path from '{v}' reaches the output")
        common = users[0]
        for other in users[1:]:
            common &= other
        low = common & -common
        return bits.order[low.bit_length() - 1]


def _common(owners: Owners, branches: list[list[Item]]) -> Owners:
    """The modules a block runs in: those of its join and of everything in its branches.

    DenseNet concatenates a layer's output in the next layer's forward; the block is then the
    dense block's, not either layer's.
    """
    common = list(owners)
    for branch in branches:
        for item in branch:
            n = 0
            while n < min(len(common), len(item.owners)) and common[n] == item.owners[n]:
                n += 1
            del common[n:]
    return tuple(common)


def to_items(graph: Graph, source: str, unsupported: Counter[tuple[str, str]], notes: list[str],
             allow_uncounted: bool) -> tuple[list[Item], list[str]]:
    """What both importers do with the graph they read: refuse it if it has operations symcnn cannot count (unless
    allowed), merge DenseNet's concatenations, and decompose it into the notation's items; with the notes so far."""
    if unsupported and not allow_uncounted:
        raise SymcnnError(unsupported_message(unsupported),
                          hint="with allow_uncounted=True (--allow-uncounted) they are kept, counted as 0 and "
                               "named in every output")
    merge_concats(graph)
    notes = list(dict.fromkeys(notes))
    return blocks(graph, source, notes), notes


def unsupported_message(found: Counter[tuple[str, str]]) -> str:
    """The error for operations no kind reads: each with how often and where it runs."""
    by_op: dict[str, list[str]] = {}
    for (op, where), n in found.items():
        by_op.setdefault(op, []).extend([where] * n)
    total = sum(found.values())
    lines = [f"the model has {total} operation{'s' if total != 1 else ''} symcnn cannot count:"]
    for op, places in sorted(by_op.items(), key=lambda kv: -len(kv[1])):
        shown = list(dict.fromkeys(places))
        more = f", and {len(shown) - 3} more places" if len(shown) > 3 else ""
        lines.append(f"  {op}  x{len(places)}  at {', '.join(shown[:3])}{more}")
    return "\n".join(lines)
