"""How many rows a network will add, counted before it is walked.

Definitions that double at each of 30 levels would be walked for minutes before the layer
limit stopped them; counted first (each call with its arguments once), they are stopped at once.
"""

from __future__ import annotations

from typing import Any

from . import arith, limits
from .arith import Bound
from .errors import SymcnnError
from .layers import Layer
from .network import Call, Choice, Concat, Gate, Repeat, Residual, Seq, Side, Split, children
from .values import ValueProblem


class Expansion:
    """Counts of rows per node, memoised per definition call and its arguments."""

    def __init__(self, walk: Any) -> None:  # the Walk (walk.py imports this module)
        self.walk = walk
        self.expanded: dict[tuple[str, tuple[Any, ...]], int] = {}

    def count(self, node: Any, env: dict[str, Bound], depth: int) -> int:
        """How many rows ``node`` will add (at most just past MAX_LAYERS), counted before the walk.

        Definitions that double at each of 30 levels would be walked for minutes before the
        layer limit stopped them; counted first (each call with its arguments once), they are
        stopped at once. Counts that are not positive integers are left to the walk to report.
        """
        cap = limits.MAX_LAYERS + 1
        if isinstance(node, Layer):
            return 1
        if isinstance(node, Seq):
            return min(cap, sum(self.count(item, env, depth) for item in node.items))
        if isinstance(node, Choice):
            try:
                chosen = self.walk.chosen(node, env)
            except SymcnnError:
                return 1  # the walk reports it
            return 0 if chosen is None else self.count(chosen, env, depth)
        if isinstance(node, Repeat):
            try:
                times = arith.evaluate(node.count, env)
            except (ValueProblem, KeyError):
                times = None
            if node.index is not None and type(times) is int and times > 0:
                total = sum(self.count(node.body, {**env, node.index: i}, depth) for i in range(min(times, 1001)))
                if total > limits.MAX_LAYERS or times > 1000 and total * times > limits.MAX_LAYERS:
                    raise SymcnnError(f"x{times} expands to more than {limits.MAX_LAYERS:,} layers", "limit",
                                      self.walk.network.text, node.span.line, node.span.column)
                return min(limits.MAX_LAYERS + 1, total if times <= 1000 else total * times // 1000)
            body = self.count(node.body, env, depth)
            if not (type(times) is int and times > 0):
                return body
            if body * times > limits.MAX_LAYERS:
                raise SymcnnError(f"x{times} expands to more than {limits.MAX_LAYERS:,} layers", "limit",
                                  self.walk.network.text, node.span.line, node.span.column,
                                  "write the count as a name, x{n}, to have the costs multiplied instead of unrolled")
            return body * times
        if isinstance(node, (Residual, Concat, Gate, Split, Side)):
            return min(cap, 1 + sum(self.count(part, env, depth + 1) for part in children(node)))
        assert isinstance(node, Call)
        if depth >= limits.MAX_NESTING:
            return 1  # the walk reports the nesting
        try:
            target = self.walk.resolve(node, env)
        except SymcnnError:
            return 1  # the walk reports it
        if isinstance(target, Layer):
            return 1
        try:
            args = tuple(self.walk.argument(a, env, node.span) for a in target.args)
        except SymcnnError:
            return 1
        key = (target.name, args)
        if key not in self.expanded:
            definition = self.walk.network.definition(target.name)
            inner = {**env, **dict(zip(definition.params, args))}
            self.expanded[key] = self.count(definition.body, inner, depth + 1)
        return self.expanded[key]
