"""Text to :class:`~symcnn.network.Network`, and the one reader of values typed on the command line.

Values are built as symcnn's own exact values (:mod:`symcnn.values`); user text is never
run as Python, nor handed to SymPy's string parsers.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedInput, VisitError

from .. import values
from ..errors import SymcnnError
from ..layers import Span
from ..network import DEFAULT_INPUT, Call, Definition, Network, Node, Seq, map_nodes, walk
from ..values import Apply, Name, Number, Value
from .build import RESERVED, Build, Fail, layer_kind
from .hints import prescan, syntax_error, unknown_hint
from .parser import cache_dir, load_parser

__all__ = ["RESERVED", "exact", "layer_kind", "parse", "parse_assignment", "parse_dims", "parse_value"]


@cache
def _parser() -> Lark:
    return load_parser(cache_dir(), Build())


def _error(fail: Fail, text: str) -> SymcnnError:
    span = fail.span
    return SymcnnError(fail.message, fail.kind, text, span.line if span else None, span.column if span else None,
                       fail.hint)


def _run(text: str, start: str) -> Any:
    prescan(text)
    try:
        return _parser().parse(text, start=start)
    except Fail as fail:
        raise _error(fail, text) from None
    except VisitError as error:  # a callback failed
        if isinstance(error.orig_exc, Fail):
            raise _error(error.orig_exc, text) from None
        raise
    except UnexpectedInput as error:
        raise syntax_error(error, text) from None


@lru_cache(maxsize=256)
def parse_dims(text: str) -> tuple[Value, Value, Value]:
    """``224x224x3`` (or ``HxWx3``, ``{32*h}x{32*h}x3``) as three values.

    >>> parse_dims("224x224x3"), parse_dims("{2*h}x{2*h}x3")[0]
    ((224, 224, 3), Op(op='mul', args=(2, Name(name='h')), size=3, terms=1))
    """
    dims = [e.value for e in _run(text, "dims")]
    if len(dims) != 3:
        raise SymcnnError(f"an input size is HxWxC, three sizes; '{text}' gives {len(dims)}", "error")
    return dims[0], dims[1], dims[2]


def parse_value(text: str, what: str = "the value") -> Number:
    """An exact number typed by the user: ``1000``, ``0.75`` (3/4), ``1e3``, ``{64/3}``, ``1/3``.

    >>> parse_value("0.75"), parse_value("1e300") == 10**300, parse_value("2^10")
    (Fraction(3, 4), True, 1024)
    """
    expr = _run(text, "number")
    value = expr.value
    if not values.is_number(value):
        shown = ", ".join(sorted(values.names(value))) or values.text(value)
        raise SymcnnError(f"{what} must be a number, not {text.strip()} (it has the name {shown})", "error", text)
    return value  # type: ignore[no-any-return]


def exact(value: Any, what: str) -> Number:
    """A value given in Python or on the command line, as an exact number: the one reader of user values.

    Ints and Fractions as they are, strings read by :func:`parse_value` (``"0.75"`` is 3/4,
    ``"1e3"`` is 1000), SymPy rationals as the numbers they are; a float is refused, since
    it is not the number the user meant (0.1 is 3602879701896397/36028797018963968).

    >>> exact("0.75", "w"), exact(3, "K")
    (Fraction(3, 4), 3)
    """
    if isinstance(value, (bool, float)):
        raise SymcnnError(f"{what}={value!r}: give an int, a Fraction or a string such as '0.75' (exact values only)")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Fraction):
        return values.exact(value)
    if isinstance(value, str):
        return parse_value(value, what)
    if getattr(value, "is_Rational", False):
        return values.exact(Fraction(int(value.p), int(value.q)))
    if type(value) is values.Name:
        raise SymcnnError(f"{what} must be a number, not the name {value.name}")
    raise SymcnnError(f"{what}={value!r} is not an exact number")


def parse_assignment(text: str) -> tuple[str, Number | values.Name]:
    """``K=1000`` or ``a=0.75`` as a name and an exact value; ``variant=small`` (a block's name) as a name.

    >>> parse_assignment("a=0.75"), parse_assignment("variant=small")
    (('a', Fraction(3, 4)), ('variant', Name(name='small')))
    """
    name, expr = _run(text, "assignment")
    if type(expr.value) is values.Name:
        return name, expr.value
    if not values.is_number(expr.value):
        raise SymcnnError(f"the value of {name} must be a number, not {values.text(expr.value)}", "error", text)
    return name, expr.value


def parse(text: str) -> Network:
    """Parse the notation into a :class:`~symcnn.network.Network`.

    >>> net = parse("conv3-64 x2, pool2, fc-K")
    >>> [type(item).__name__ for item in net.body.items]
    ['Repeat', 'Pool', 'FC']
    """
    lines = _run(text, "start")
    header: tuple[Value, ...] | None = None
    definitions: dict[str, Definition] = {}
    items: list[Node] = []
    defaults: dict[str, Value] = {}
    width: str | None = None
    for line in lines:
        if isinstance(line, tuple) and line[0] == "let":
            for name, value in line[1]:
                if name in defaults:
                    raise SymcnnError(f"'{name}' is given a value twice", "error", text, line[2].line, line[2].column)
                defaults[name] = value
            continue
        if isinstance(line, tuple) and line[0] == "width":
            if width is not None:
                raise SymcnnError("the width multiplier is declared twice", "error", text, line[2].line,
                                  line[2].column)
            width = line[1]
            continue
        if isinstance(line, Definition):
            if line.name in definitions:
                raise SymcnnError(f"'{line.name}' is defined twice", "error", text, line.span.line, line.span.column)
            line = _blocks(line, definitions)
            _check_calls(line.body, definitions, text, line, set(defaults))
            definitions[line.name] = line
        elif isinstance(line, tuple):
            _tag, dims, span = line
            if header is not None or items:
                raise SymcnnError("the input line must come first, and only once", "error", text, span.line,
                                  span.column)
            header = dims
        else:
            for item in line:
                item = _blocks(item, definitions)
                _check_calls(item, definitions, text, None, set(defaults))
                items.append(item)
    body = Seq(tuple(items), span=Span(1, 1))
    dims = tuple(header) if header else DEFAULT_INPUT
    # A let may name a block (let block = bottleneck): a definition or a layer word.
    defaults = {name: Apply(value.name, ()) if type(value) is Name and (value.name in definitions or
                                                                          layer_kind(value.name) is not None)
                else value for name, value in defaults.items()}
    return Network(dims, tuple(definitions.values()), body, text, tuple(defaults.items()), width)  # type: ignore[arg-type]


def _blocks(node: Any, definitions: dict[str, Definition]) -> Any:
    """Call arguments that name a layer word or a definition (``block(relu)``, ``block(se)``) as blocks."""

    def block(value: Value) -> Value:
        if type(value) is Name and (value.name in definitions or layer_kind(value.name) is not None):
            return Apply(value.name, ())
        return value

    def call(node: Any) -> Any:
        return dataclasses.replace(node, args=tuple(map(block, node.args))) if isinstance(node, Call) else node

    if not any(isinstance(n, Call) and any(type(a) is Name for a in n.args) for n in walk(node)):
        return node
    return map_nodes(node, call)


def _check_calls(node: Node, definitions: dict[str, Definition], text: str, inside: Definition | None,
                 lets: set[str]) -> None:
    """Every call names an earlier definition (or a block parameter, or a block given by a let) with the right
    number of arguments."""
    for current in walk(node):
        if not isinstance(current, Call):
            continue
        span = current.span
        if inside is not None and current.name == inside.name:
            raise SymcnnError(f"'{current.name}' uses itself: recursive definitions are not allowed", "error", text,
                              span.line, span.column)
        if inside is not None and current.name in inside.params or current.name in lets:
            continue  # a block passed as an argument or named by a let: checked where it is called
        definition = definitions.get(current.name)
        if definition is None:
            if current.name.lower() in RESERVED:
                raise SymcnnError(f"'{current.name}' is a keyword, not a layer", "error", text, span.line, span.column)
            raise SymcnnError(f"unknown layer or definition '{current.name}'", "error", text, span.line, span.column,
                              unknown_hint(current.name, sorted(definitions)))
        if len(current.args) != len(definition.params):
            wanted = len(definition.params)
            raise SymcnnError(
                f"'{current.name}' takes {wanted} argument{'s' * (wanted != 1)}, but is given {len(current.args)}",
                "error", text, span.line, span.column,
                f"it is defined at line {definition.span.line} as {current.name}({', '.join(definition.params)})",
            )
