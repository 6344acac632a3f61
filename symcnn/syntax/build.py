"""Parse tree to network: the callbacks Lark runs as it parses (the rule name is the method).

Expressions are built as symcnn's own values (:mod:`symcnn.values`), each with the place of
its first token, so that a problem in one points there. Layers are found through the
registry of layer kinds: a word (``relu``), or a word and its kernel digits (``conv3x5``).
"""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction
from typing import Any

from lark import Token

from .. import limits, values
from ..layers import REGISTRY, Layer
from ..layers.base import Option, Slot, Span
from ..network import Call, Choice, Concat, Definition, Gate, Repeat, Residual, Seq, Side, Split
from ..values import Apply, Name, Value, ValueProblem, Word

RESERVED = {"input", "def", "res", "concat", "mul", "split", "side", "if", "as", "x", "true", "false",
            *values.FUNCTIONS}
HEAD = re.compile(r"([a-z]+?)(\d+(?:x\d+)?)")


class Fail(Exception):
    """Raised while building; carries where, so the caller can build a SymcnnError."""

    def __init__(self, message: str, span: Span | None, hint: str | None = None, kind: str = "error") -> None:
        super().__init__(message)
        self.message, self.span, self.hint, self.kind = message, span, hint, kind


def at(token: Token) -> Span:
    return Span(token.line or 1, token.column or 1, token.start_pos or 0)


class Expr(tuple):  # type: ignore[type-arg]
    """A built value and where its first token is: (value, span)."""

    @property
    def value(self) -> Value:
        return self[0]  # type: ignore[no-any-return]

    @property
    def span(self) -> Span:
        return self[1]  # type: ignore[no-any-return]


def _expr(value: Value, span: Span) -> Expr:
    return Expr((value, span))


def _plain(expr: Expr) -> Expr:
    """An expression that is a value, not a block: blocks (``se(16)``) go only as a definition's arguments."""
    if type(expr.value) is Apply:
        raise Fail(f"{values.text(expr.value)} is a block, not a value: blocks are only passed to a definition, as "
                   "in block(se(16))", expr.span)
    return expr


def _built(span: Span, build: Any, *args: Any) -> Expr:
    try:
        return _expr(build(*args), span)
    except ValueProblem as problem:
        raise Fail(str(problem), span, kind=problem.kind) from None


def integer(token: Token) -> int:
    if len(token) > limits.MAX_DIGITS:
        raise Fail(f"number too long (more than {limits.MAX_DIGITS:,} digits)", at(token), kind="limit")
    return int(token)


def decimal(token: Token) -> values.Number:
    """``0.75``, ``1e3``, ``1.5e-3`` as exact numbers (3/4, 1000, 3/2000)."""
    mantissa, _, exponent = str(token).lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    if len(whole) + len(fraction) + len(exponent) > limits.MAX_DIGITS or abs(int(exponent or "0")) > \
            limits.MAX_DIGITS:
        raise Fail(f"number too long (more than {limits.MAX_DIGITS:,} digits)", at(token), kind="limit")
    value = Fraction(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"), 10 ** len(fraction))
    return values.exact(value * Fraction(10) ** int(exponent or "0"))


def layer_kind(word: str) -> tuple[type[Layer], str, str | None] | None:
    """The kind a layer word names, its word, and its head digits (``conv3x5``: Conv, ``conv``, ``3x5``)."""
    lowered = word.lower()
    if lowered in REGISTRY:
        return REGISTRY[lowered], lowered, None
    match = HEAD.fullmatch(lowered)
    if match and match.group(1) in REGISTRY and REGISTRY[match.group(1)].head is not None:
        return REGISTRY[match.group(1)], match.group(1), match.group(2)
    return None


def _one_or_two(given: list[Value], slot: Slot, span: Span, word: str, braced: bool, head: bool) -> Any:
    """What a slot holds: one value, or (height, width) for a pair (a size after the word always is one)."""
    if slot.pair:
        if len(given) > 2:
            raise Fail(f"{word} takes at most two sizes", span)
        return (given[0], given[-1]) if head or given[0] != given[-1] else given[0]
    if len(given) > 1:
        hint = "a repeat after a braced value needs a space before the x: conv3-{c} x{n}" if braced else None
        raise Fail(f"{word} takes one {slot.what.split(' ', 1)[1]}", span, hint=hint)
    return given[0]


_REQUIRED: dict[type, tuple[str, ...]] = {}


def required(kind: type[Layer]) -> tuple[str, ...]:
    """The fields of a kind that have no default (what must be written), worked out once per kind."""
    found = _REQUIRED.get(kind)
    if found is None:
        found = _REQUIRED[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.name != "span"
                                        and f.default is dataclasses.MISSING)
    return found


def make_layer(kind: type[Layer], word: str, digits: str | None, braced: list[Expr] | None, dash: list[Expr] | None,
               slash: list[Expr] | None, options: list[tuple[Token, Any]], span: Span, head_text: str) -> Layer:
    """A layer of ``kind`` from what was written in each of its slots, and its options."""
    if digits is not None and braced is not None:
        raise Fail("give the kernel size once: digits or a {braced expression}", span)
    fields: dict[str, Any] = dict(kind.words[word])
    head = [integer(Token("INT", d)) for d in digits.split("x")] if digits else \
        [e.value for e in braced] if braced is not None else None
    written = (("head", head, "kernel size", braced is not None),
               ("dash", [e.value for e in dash] if dash else None, "channel count", True),
               ("slash", [e.value for e in slash] if slash else None, "stride", True))
    for where, given, what, from_braces in written:
        if given is None:
            continue
        slot = getattr(kind, where)
        if slot is None:
            raise Fail(f"{word} takes no {what}", span, hint=kind.hint or None)
        if slot.field in fields:
            raise Fail(f"write {word}-<n> or {word}<n>, not both", span)
        fields[slot.field] = _one_or_two(given, slot, span, word, from_braces, where == "head")
    missing = [name for name in required(kind) if name not in fields]
    if missing:
        slot = next(s for s in (kind.head, kind.dash, kind.slash) if s is not None and s.field == missing[0])
        if slot is kind.dash:
            one_slot = kind.head is not None and kind.head.field == slot.field  # fc-<n> or fc<n>
            raise Fail(f"{head_text} needs {slot.what}", span, hint=f"write {word if one_slot else head_text}-64")
        raise Fail(f"{word} needs {slot.what}", span, hint=kind.hint or None)
    layer = kind(**fields, span=span)
    return apply_options(layer, options) if options else layer


def apply_options(layer: Layer, options: list[tuple[Token, Any]]) -> Layer:
    known: dict[str, Option] = {}
    for option in layer.options:
        for name in (option.field, *option.aliases):
            known[name] = option
    if layer.forms:
        known["torch"] = FORM
    changes: dict[str, Any] = {}
    for token, written in options:
        option = known.get(token.lower())
        if option is None:
            taken = ", ".join(o.field for o in layer.options)
            forms = f"torch={' or '.join(layer.forms)}" if layer.forms else ""
            takes = f"{taken} and {forms}" if taken and forms else taken or (f"no options but {forms}" if forms else
                                                                             "no options")
            raise Fail(f"{layer.notation()} does not take the option '{token}'; it takes {takes}", at(token))
        if option.field in changes:
            raise Fail(f"the option '{token}' is given twice", at(token))
        changes[option.field] = _option_value(option, token, written)
        if option is FORM:
            form = changes["form"] = changes["form"].word
            if form not in ("module", *layer.forms):
                raise Fail(f"{layer.notation()} is not computed as torch={form} in PyTorch; it takes torch="
                           f"{' or '.join(('module', *layer.forms))}", at(token))
    return dataclasses.replace(layer, **changes)


FORM = Option("form", ("torch",), "word")
"""``torch=``: how PyTorch code computes the layer, for kinds that list :attr:`~symcnn.layers.Layer.forms`."""


def _option_value(option: Option, token: Token, written: Any) -> Any:
    if option.takes == "bool" or isinstance(written, bool):
        if (option.takes == "bool") != isinstance(written, bool):
            wanted = "true or false" if option.takes == "bool" else "a number"
            raise Fail(f"the option '{token}' takes {wanted}", at(token))
        return written
    found = [e.value for e in written]
    if option.takes == "word":
        if len(found) != 1 or type(found[0]) is not Name:
            raise Fail(f"the option '{token}' takes a word (letters, digits and _)", at(token))
        return Word(found[0].name)
    if len(found) == 1 and type(found[0]) is Name and found[0].name.lower() in option.words:
        return Word(found[0].name.lower())
    if any(type(v) is Name and v.name.lower() in option.words for v in found):
        raise Fail(f"the option '{token}' takes {' or '.join(option.words)} alone", at(token))
    if len(found) == 2 and option.takes != "pair":
        raise Fail(f"the option '{token}' takes one value, not two", at(token))
    if len(found) == 2:
        return found[0] if found[0] == found[1] else (found[0], found[1])
    return found[0]


class Build:
    """The callbacks: one per rule (and alias) of the grammar, each given the rule's children."""

    # values and expressions
    def int(self, c: list[Token]) -> Expr:
        return _expr(integer(c[0]), at(c[0]))

    def decimal(self, c: list[Token]) -> Expr:
        return _expr(decimal(c[0]), at(c[0]))

    def name(self, c: list[Token]) -> Expr:
        token = c[0]
        if token.lower() in RESERVED:
            raise Fail(f"'{token}' is a keyword and cannot be used as a name", at(token))
        return _expr(Name(str(token)), at(token))

    def braces(self, c: list[Any]) -> list[Expr]:
        return [_plain(e) for e in c if isinstance(e, Expr)]

    def sum(self, c: list[Any]) -> Expr:
        parts = [_plain(e) for e in c[0::2]]
        size = sum(values.size(e.value) for e in parts) + len(parts) - 1
        try:
            terms = [c[0].value] + [e.value if op.type == "PLUS" else values.neg(e.value)
                                    for op, e in zip(c[1::2], c[2::2])]
            return _expr(values.add(*terms, size=size), c[0].span)
        except ValueProblem as problem:
            raise Fail(str(problem), c[0].span, kind=problem.kind) from None

    def product(self, c: list[Any]) -> Expr:
        value = _plain(c[0]).value
        for e in c[2::2]:
            _plain(e)
        for op, e in zip(c[1::2], c[2::2]):
            build = {"STAR": values.mul, "SLASH": values.div, "DSLASH": values.floordiv}[op.type]
            value = _built(c[0].span, build, value, e.value).value
        return _expr(value, c[0].span)

    def neg(self, c: list[Any]) -> Expr:
        return _built(at(c[0]), values.neg, _plain(c[1]).value)

    def pos(self, c: list[Any]) -> Expr:
        return _expr(c[1].value, at(c[0]))

    def compare(self, c: list[Any]) -> Expr:
        a, op, b = c
        return _built(a.span, values.compare, str(op), _plain(a).value, _plain(b).value)

    def pow(self, c: list[Any]) -> Expr:
        return _built(c[0].span, values.power, _plain(c[0]).value, _plain(c[2]).value)

    def paren(self, c: list[Any]) -> Expr:  # (e) and, inside an expression, {e}
        return _expr(_plain(c[-1]).value, at(c[0]) if isinstance(c[0], Token) else c[-1].span)

    def func(self, c: list[Any]) -> Expr:
        token = c[0]
        return _built(at(token), values.function, token.lower(), tuple(_plain(e).value for e in c[1:]))

    def apply(self, c: list[Any]) -> Expr:
        token = c[0]
        return _expr(Apply(str(token), tuple(e.value for e in c[1:] if e is not None)), at(token))

    # command-line entry points
    def dims(self, c: list[Any]) -> list[Expr]:
        out: list[Expr] = []
        for part in c:
            if isinstance(part, list):
                out.extend(part)
            elif isinstance(part, Expr):
                out.append(part)
        return out

    def assignment(self, c: list[Any]) -> tuple[str, Expr]:
        return str(c[0]), _plain(c[1])

    def number(self, c: list[Any]) -> Expr:
        return _plain(c[0])

    # layers and calls
    def layer(self, c: list[Any]) -> Any:
        token, braced, arguments, minus, dash, slash_token, slash, options = c
        span = at(token)
        if isinstance(dash, Expr):
            dash = [dash]
        if isinstance(slash, Expr):
            slash = [slash]
        found = layer_kind(str(token))
        if found is not None:
            kind, word, digits = found
            if arguments is not None:
                raise Fail(f"{word} takes no arguments", span)
            return make_layer(kind, word, digits, braced, dash, slash, options or [], span, str(token).lower())
        if braced is not None or dash is not None or slash is not None:
            raise Fail(f"unknown layer '{token}'", span)
        if options:
            raise Fail(f"options go on layers; '{token}' is not a built-in layer", span)
        return Call(str(token), tuple(e.value for e in (arguments or [])), span=span)

    def arguments(self, c: list[Any]) -> list[Expr]:
        return [e for e in c if e is not None]

    def options(self, c: list[Any]) -> list[tuple[Token, Any]]:
        return c

    def option(self, c: list[Any]) -> tuple[Token, Any]:
        token, *rest = c
        if len(rest) == 1 and isinstance(rest[0], Token):
            return token, rest[0].lower() == "true"
        return token, [_plain(e) for e in rest if isinstance(e, Expr)]

    # combinators
    def seq(self, c: list[Any]) -> Seq:
        return Seq(tuple(c), span=c[0].span)

    def item(self, c: list[Any]) -> Any:
        return c[0]

    def repeat(self, c: list[Any]) -> Repeat:
        node, _x, count = c
        if isinstance(count, list):
            count = count[0] if len(count) == 1 else None
            if count is None:
                raise Fail("a repeat count is one value", node.span)
        return Repeat(node, count.value, span=node.span)

    def indexed(self, c: list[Any]) -> Repeat:
        repeat = self.repeat(c[:3])
        name = c[4]
        if name.lower() in RESERVED:
            raise Fail(f"'{name}' is a keyword and cannot be used as a name", at(name))
        return Repeat(repeat.body, repeat.count, str(name), span=repeat.span)

    def choice(self, c: list[Any]) -> Choice:
        keyword, condition, then, otherwise = c
        if len(condition) != 1:
            raise Fail("if takes one condition: if{s == 1}(...)", at(keyword))
        return Choice(condition[0].value, then, otherwise, span=at(keyword))

    def group(self, c: list[Any]) -> Seq:
        return Seq(c[1].items, span=at(c[0]))

    def res(self, c: list[Any]) -> Residual:
        return Residual(c[1], c[2], span=at(c[0]))

    def concat(self, c: list[Any]) -> Concat:
        return Concat(tuple(c[1:]), span=at(c[0]))

    def mul(self, c: list[Any]) -> Gate:
        return Gate(c[1], c[2], span=at(c[0]))

    def split(self, c: list[Any]) -> Split:
        return Split(tuple(c[1:]), span=at(c[0]))

    def side(self, c: list[Any]) -> Side:
        keyword, options, body = c
        on: Value = 1
        for token, written in options or []:
            if token.lower() != "on" or isinstance(written, bool) or len(written) != 1:
                raise Fail(f"side takes the one option on=NAME (side[on=aux](...)), not '{token}'", at(token))
            on = written[0].value
        return Side(body, on, span=at(keyword))

    # lines
    def header(self, c: list[Any]) -> tuple[str, tuple[Value, ...], Span]:
        dims = c[1]
        span = at(c[0])
        if len(dims) != 3:
            raise Fail(f"the input is HxWxC, three sizes; this gives {len(dims)}", span)
        return ("header", tuple(_plain(e).value for e in dims), span)

    def let(self, c: list[Any]) -> tuple[str, tuple[tuple[str, Value], ...], Span]:
        keyword, *pairs = c
        found = tuple((str(name), expr.value) for name, expr in zip(pairs[0::2], pairs[1::2]))
        for name, _ in found:
            if name.lower() in RESERVED:
                raise Fail(f"'{name}' is a keyword and cannot be used as a name", at(keyword))
        return ("let", found, at(keyword))

    def width(self, c: list[Any]) -> tuple[str, str, Span]:
        return ("width", str(c[1]), at(c[0]))

    def definition(self, c: list[Any]) -> Definition:
        keyword, name, *params, body = c
        params = [p for p in params if p is not None]
        span = at(keyword)
        if name.lower() in RESERVED or layer_kind(str(name)) is not None:
            raise Fail(f"'{name}' is a built-in name; choose another name for the definition", span)
        if len({str(p) for p in params}) != len(params):
            raise Fail(f"a parameter of '{name}' is named twice", span)
        return Definition(str(name), tuple(str(p) for p in params), body, span=span)

    def def_body(self, c: list[Any]) -> Seq:
        return Seq(tuple(c), span=c[0].span)

    def items(self, c: list[Any]) -> list[Any]:
        return c

    def start(self, c: list[Any]) -> list[Any]:
        return [line for line in c if line is not None]
