"""Text to :class:`~symcnn.network.Network`: the Lark parser, the transformer, friendly errors.

Expressions are built with SymPy constructors from the parse tree; user text is
never run as Python, nor handed to SymPy's string parsers.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import lark
import sympy
from lark import Lark, Token, Transformer_NonRecursive, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import limits
from .errors import SymcnnError
from .layers import (ELEMENTWISE, LRN, FC, AdaptivePool, BatchNorm, Conv, Deconv, Elementwise, GlobalPool, Layer, Pool,
                     Span, Upsample)
from .network import Call, Concat, Definition, Gate, Network, Node, Repeat, Residual, Seq
from .resources import data_dir

DEFAULT_INPUT = tuple(sympy.Symbol(name, positive=True, integer=True) for name in "HWC")

OPTION_ALIASES = {"s": "stride", "p": "padding", "pad": "padding", "d": "dilation", "g": "groups"}
BOOLEAN_OPTIONS = {"bias", "ceil"}
SIMPLE_LAYERS: dict[str, Callable[[Span], Layer]] = {
    "bn": BatchNorm,
    "lrn": LRN,
    "gap": lambda span: GlobalPool(span, "avg"),
    "gmp": lambda span: GlobalPool(span, "max"),
    **{name: (lambda span, name=name: Elementwise(span, name)) for name in ELEMENTWISE},  # type: ignore[misc]
}
RESERVED = {"input", "def", "res", "concat", "mul", "x", "true", "false", "floor", "ceil", "min", "max"}


@cache
def _parser() -> Lark:
    return _load_parser(_cache_dir())


def _cache_dir() -> Path | None:
    """Where the built parser is kept between runs: the user's own cache folder (None: no home)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "symcnn" if os.path.isabs(base) else None


class _PlainUnpickler(pickle.Unpickler):
    """Loads plain data only (dicts, lists, tuples, strings, numbers): a cache file can name no class or function."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _load_parser(folder: Path | None) -> Lark:
    """The LALR parser, from ``folder`` when a cache of this grammar is there; else built (0.2 s) and saved there.

    Building the LALR tables is most of the start-up time of a small run, so they are cached
    like Lark's own ``cache=True``, but not in the shared temporary folder, where another user
    could plant the file, and read with an unpickler that accepts plain data only. A cache that
    cannot be read or written (a read-only home, a damaged file) is ignored.
    """
    grammar = (data_dir("grammar") / "symcnn.lark").read_text(encoding="utf-8")
    options: dict[str, Any] = {"parser": "lalr", "start": ["start", "dims", "assignment"],
                               "propagate_positions": True, "maybe_placeholders": True}
    key = hashlib.sha256(f"{grammar}{options}{lark.__version__}{sys.version_info[:2]}".encode()).hexdigest()
    path = folder / f"parser-{key[:32]}.pickle" if folder is not None else None
    if path is not None:
        try:
            with path.open("rb") as file:
                return Lark.load(_PlainUnpickler(file).load())  # Lark.load takes the saved dict as it is
        except Exception:  # noqa: BLE001 - a missing or damaged cache only means building the parser
            pass
    parser = Lark(grammar, **options)
    if path is not None:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
                parser.save(temporary)
            os.replace(temporary.name, path)  # atomic: a concurrent run reads the old file or the new one
        except OSError:
            pass
    return parser


class _Fail(Exception):
    """Raised inside the transformer; carries where, so the caller can build a SymcnnError."""

    def __init__(self, message: str, span: Span | None, hint: str | None = None, kind: str = "error") -> None:
        super().__init__(message)
        self.message, self.span, self.hint, self.kind = message, span, hint, kind


def _span(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(1, 1, 0, 0)
    return Span(meta.line, meta.column, meta.start_pos, meta.end_pos)


def _token_span(token: Token) -> Span:
    return Span(token.line or 1, token.column or 1, token.start_pos or 0, token.end_pos or 0)


def symbol(name: str) -> sympy.Symbol:
    """The symbol a name stands for: every name is a positive quantity."""
    return sympy.Symbol(name, positive=True)


def _checked(value: sympy.Expr, span: Span | None) -> sympy.Expr:
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise _Fail("division by zero", span)
    try:
        limits.measure(value, limits.MAX_EXPR_NODES)
    except limits.TooLarge as error:
        raise _Fail(f"expression too large: {error}", span, kind="limit") from None
    return value


def _power(base: sympy.Expr, exponent: sympy.Expr, span: Span) -> sympy.Expr:
    if not exponent.is_Integer or abs(exponent) > 100:
        raise _Fail("an exponent must be a whole number from -100 to 100", span)
    if base.is_Rational and base != 0:
        digits = abs(int(exponent)) * max(abs(base.p).bit_length(), base.q.bit_length()) * 0.302  # type: ignore[attr-defined]
        if digits > limits.MAX_DIGITS:
            raise _Fail(f"number too large (more than {limits.MAX_DIGITS:,} digits)", span, kind="limit")
    if base == 0 and exponent < 0:
        raise _Fail("division by zero", span)
    return sympy.Pow(base, exponent)


_FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "floor": sympy.floor,
    "ceil": sympy.ceiling,
    "min": sympy.Min,
    "max": sympy.Max,
}


def _integer(token: Token) -> sympy.Integer:
    if len(token) > limits.MAX_DIGITS:
        raise _Fail(f"number too long (more than {limits.MAX_DIGITS:,} digits)", _token_span(token), kind="limit")
    return sympy.Integer(int(token))


@v_args(inline=True)
class _Build(Transformer_NonRecursive):
    """Parse tree to network nodes and SymPy values, bottom-up and without recursion."""

    # values and expressions
    def int(self, token: Token) -> sympy.Expr:
        return _integer(token)

    def decimal(self, token: Token) -> sympy.Expr:
        whole, _, frac = str(token).partition(".")
        if len(whole) + len(frac) > limits.MAX_DIGITS:
            raise _Fail(f"number too long (more than {limits.MAX_DIGITS:,} digits)", _token_span(token), kind="limit")
        return sympy.Rational(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))

    def name(self, token: Token) -> sympy.Expr:
        if token.lower() in RESERVED:
            raise _Fail(f"'{token}' is a keyword and cannot be used as a name", _token_span(token))
        return symbol(str(token))

    # a + b - c and a * b / c arrive as one node each (see _flatten_chains)
    @v_args(meta=True, inline=True)
    def sum(self, meta: Any, *terms: sympy.Expr) -> sympy.Expr:
        return _checked(sympy.Add(*terms), _span(meta))

    @v_args(meta=True, inline=True)
    def product(self, meta: Any, *factors: sympy.Expr) -> sympy.Expr:
        return _checked(sympy.Mul(*factors), _span(meta))

    @v_args(meta=True, inline=True)
    def reciprocal(self, meta: Any, b: sympy.Expr) -> sympy.Expr:
        if b == 0:
            raise _Fail("division by zero", _span(meta))
        return 1 / b

    @v_args(meta=True, inline=True)
    def floordiv(self, meta: Any, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
        if b == 0:
            raise _Fail("division by zero", _span(meta))
        return _checked(sympy.floor(a / b), _span(meta))

    def neg(self, a: sympy.Expr) -> sympy.Expr:
        return -a

    @v_args(meta=True, inline=True)
    def pow(self, meta: Any, a: sympy.Expr, _op: Token, b: sympy.Expr) -> sympy.Expr:
        return _checked(_power(a, b, _span(meta)), _span(meta))

    @v_args(meta=True, inline=True)
    def func(self, meta: Any, name: Token, *args: sympy.Expr) -> sympy.Expr:
        function = _FUNCTIONS[name.lower()]
        if function in (sympy.floor, sympy.ceiling) and len(args) != 1:
            raise _Fail(f"{name.lower()} takes one argument, not {len(args)}", _span(meta))
        merged = sum(len(arg.args) if isinstance(arg, (sympy.Min, sympy.Max)) else 1 for arg in args)
        if function in (sympy.Min, sympy.Max) and merged > limits.MAX_MIN_MAX_ARGS:
            raise _Fail(f"{name.lower()} has more than {limits.MAX_MIN_MAX_ARGS} arguments (nested min and max count)",
                        _span(meta), kind="limit")
        return _checked(function(*args), _span(meta))

    # command-line entry points
    def dims(self, *values: sympy.Expr) -> tuple[sympy.Expr, ...]:
        return values

    def assignment(self, name: Token, value: sympy.Expr) -> tuple[str, sympy.Expr]:
        return str(name), value

    # layers
    @v_args(meta=True, inline=True)
    def layer(self, meta: Any, head: Token, braced: sympy.Expr | None, channels: sympy.Expr | None,
              stride: sympy.Expr | None, options: list[tuple[Token, sympy.Expr | bool]] | None) -> Layer:
        span = _span(meta)
        match = re.fullmatch(r"([a-z]+?)(\d+(?:x\d+)?)?", head.lower())
        assert match is not None
        word, digits = match.group(1), match.group(2)
        if digits and braced is not None:
            raise _Fail("give the kernel size once: digits or a {braced expression}", span)
        kernel: tuple[sympy.Expr, ...] | None = None
        if digits:
            kernel = tuple(_integer(Token("INT", d, line=head.line, column=head.column)) for d in digits.split("x"))
        elif braced is not None:
            kernel = (braced,)
        if kernel is not None and len(kernel) == 1:
            kernel = (kernel[0], kernel[0])
        return _make_layer(word, kernel, channels, stride, options or [], span, text=head)

    @v_args(meta=True, inline=True)
    def call(self, meta: Any, name: Token, *rest: Any) -> Node:
        args, options = list(rest[:-1]), rest[-1]
        if len(args) == 1 and args[0] is None:
            args = []
        span = _span(meta)
        lowered = name.lower()
        if lowered in SIMPLE_LAYERS:
            if args:
                raise _Fail(f"{lowered} takes no arguments", span)
            layer = SIMPLE_LAYERS[lowered](span)
            _apply_options(layer, options or [], span)
            return layer
        if options:
            raise _Fail(f"options go on layers; '{name}' is not a built-in layer", span)
        return Call(str(name), tuple(args), span)

    def options(self, *options: tuple[Token, sympy.Expr | bool]) -> list[tuple[Token, sympy.Expr | bool]]:
        return list(options)

    def option(self, name: Token, value: sympy.Expr | Token) -> tuple[Token, sympy.Expr | bool]:
        if isinstance(value, Token):
            return name, value.lower() == "true"
        return name, value

    # combinators
    @v_args(meta=True, inline=True)
    def seq(self, meta: Any, *items: Node) -> Seq:
        return Seq(tuple(items), _span(meta))

    def item(self, node: Node) -> Node:
        return node

    @v_args(meta=True, inline=True)
    def repeat(self, meta: Any, node: Node, count: sympy.Expr) -> Node:
        return Repeat(node, count, _span(meta))

    def group(self, seq: Seq) -> Seq:
        return seq

    @v_args(meta=True, inline=True)
    def res(self, meta: Any, _kw: Token, main: Seq, shortcut: Seq | None) -> Residual:
        return Residual(main, shortcut, _span(meta))

    @v_args(meta=True, inline=True)
    def concat(self, meta: Any, _kw: Token, *branches: Seq) -> Concat:
        return Concat(tuple(branches), _span(meta))

    @v_args(meta=True, inline=True)
    def mul(self, meta: Any, _kw: Token, body: Seq) -> Gate:
        return Gate(body, _span(meta))

    # lines
    @v_args(meta=True, inline=True)
    def header(self, meta: Any, _kw: Token, *dims: sympy.Expr) -> tuple[str, Any, Span]:
        if len(dims) != 3:
            raise _Fail(f"the input is HxWxC, three sizes; this gives {len(dims)}", _span(meta))
        return ("header", dims, _span(meta))

    @v_args(meta=True, inline=True)
    def definition(self, meta: Any, _kw: Token, name: Token, *rest: Any) -> Definition:
        *params, body = rest
        params = [p for p in params if p is not None]
        span = _span(meta)
        lowered = name.lower()
        if lowered in SIMPLE_LAYERS or lowered in RESERVED:
            raise _Fail(f"'{name}' is a built-in name; choose another name for the definition", span)
        if len({str(p) for p in params}) != len(params):
            raise _Fail(f"a parameter of '{name}' is named twice", span)
        return Definition(str(name), tuple(symbol(str(p)) for p in params), body, span)

    @v_args(meta=True, inline=True)
    def def_body(self, meta: Any, *items: Node) -> Seq:
        return Seq(tuple(items), _span(meta))

    def items(self, *items: Node) -> list[Node]:
        return list(items)

    def start(self, *lines: Any) -> list[Any]:
        return [line for line in lines if line is not None]


def _make_layer(word: str, kernel: tuple[sympy.Expr, ...] | None, channels: sympy.Expr | None,
                stride: sympy.Expr | None, options: list[tuple[Token, sympy.Expr | bool]], span: Span, text: str) -> Layer:
    word = "pool" if word == "maxpool" else word
    takes_channels = word in {"conv", "deconv", "fc"}
    if word == "fc":
        if kernel is not None and channels is not None:
            raise _Fail("write fc-<n> or fc<n>, not both", span)
        channels = kernel[0] if kernel is not None else channels
        kernel = None
    if takes_channels and channels is None:
        raise _Fail(f"{text} needs a channel count", span, hint=f"write {word}{'3' if word != 'fc' else ''}-64")
    if not takes_channels and channels is not None:
        raise _Fail(f"{word} takes no channel count", span, hint=_layer_hint(word))
    if word != "fc" and kernel is None:
        what = {"upsample": "a factor", "apool": "an output size"}.get(word, "a kernel size")
        raise _Fail(f"{word} needs {what}", span, hint=_layer_hint(word))
    if stride is not None and word in {"fc", "upsample", "apool"}:
        raise _Fail(f"{word} takes no stride", span)
    assert kernel is None or len(kernel) == 2
    layer: Layer
    if word == "conv":
        layer = Conv(span, kernel, channels, stride if stride is not None else sympy.Integer(1))  # type: ignore[arg-type]
    elif word == "dwconv":
        layer = Conv(span, kernel, None, stride if stride is not None else sympy.Integer(1))  # type: ignore[arg-type]
    elif word == "deconv":
        layer = Deconv(span, kernel, channels, stride if stride is not None else sympy.Integer(1))  # type: ignore[arg-type]
    elif word == "fc":
        layer = FC(span, channels)  # type: ignore[arg-type]
    elif word in {"pool", "avgpool"}:
        layer = Pool(span, "max" if word == "pool" else "avg", kernel, stride)  # type: ignore[arg-type]
    elif word == "apool":
        layer = AdaptivePool(span, kernel)  # type: ignore[arg-type]
    else:
        if kernel is not None and kernel[0] != kernel[1]:
            raise _Fail("upsample takes one factor", span)
        layer = Upsample(span, kernel[0])  # type: ignore[index]
    return _apply_options(layer, options, span)


def _layer_hint(word: str) -> str:
    return {
        "conv": "a convolution is conv<k>-<n>, for example conv3-64",
        "dwconv": "a depthwise convolution is dwconv<k>, for example dwconv3/2",
        "deconv": "a transposed convolution is deconv<k>-<n>/<s>, for example deconv4-64/2",
        "fc": "a fully connected layer is fc-<n>, for example fc-4096",
        "pool": "a pooling layer is pool<k> or pool<k>/<s>, for example pool3/2",
        "avgpool": "an average pool is avgpool<k>, for example avgpool2",
        "apool": "an adaptive average pool to a k x k output is apool<k>, for example apool6",
        "upsample": "upsampling is upsample<f>, for example upsample2",
    }.get(word, "")


def _apply_options(layer: Layer, options: list[tuple[Token, sympy.Expr | bool]], span: Span) -> Layer:
    changes: dict[str, Any] = {}
    for name, value in options:
        field = OPTION_ALIASES.get(name.lower(), name.lower())
        if field not in layer.options:
            takes = ", ".join(layer.options) if layer.options else "no options"
            raise _Fail(f"{layer.notation()} does not take the option '{name}'; it takes {takes}",
                        _token_span(name))
        if field in changes:
            raise _Fail(f"the option '{name}' is given twice", _token_span(name))
        if (field in BOOLEAN_OPTIONS) != isinstance(value, bool):
            wanted = "true or false" if field in BOOLEAN_OPTIONS else "a number"
            raise _Fail(f"the option '{name}' takes {wanted}", _token_span(name))
        changes[field] = value
    return dataclasses.replace(layer, **changes) if changes else layer


_VALUE = {"INT", "NAME", "LBRACE"}
_WORDS = {
    "NAME": "a name",
    "DIM_NAME": "a name",
    "INT": "a number",
    "DECIMAL": "a number",
    "LAYER_HEAD": "a layer",
    "FUNC": "floor, ceil, min or max",
    "POW": "^",
    "TRUE": "true",
    "FALSE": "false",
    "_SEP_COMMA": "','",
    "_SEP_NL": "a new line",
    "$END": "the end of the input",
}

_HINTS = {
    "a convolution is conv<k>-<n>, for example conv3-64": ["conv3-", "conv3-,", "conv3-)", "conv3-\n"],
    "a repeat needs its count, for example conv3-64 x2 or (conv3-64, relu) x{n}": ["conv3-64 x", "conv3-64 x,", "(relu) x)", "relu x\n"],
    "a '(' is not closed: add the matching ')'": ["(conv3-64", "(conv3-64,", "res(relu", "concat(relu | relu", "mul(relu\n", "f(2"],
    "a ')' has no matching '('": ["relu)", "conv3-64)", "(relu))"],
    "an option is name=value inside [ ], for example conv3-64[s=2, p=0]": ["conv3-64[s]", "conv3-64[s=]", "conv3-64[", "conv3-64[s=2"],
    "a braced expression is closed with '}', for example conv3-{64*w}": ["conv3-{64", "conv3-{64*w", "conv{3-64"],
}


def _describe(expected: set[str]) -> str:
    terminals = {t.name: t for t in _parser().terminals}
    words: list[str] = []
    if _VALUE <= expected:
        words.append("a value (a number, a name or a {braced expression})")
        expected = expected - _VALUE
    for name in sorted(expected):
        if name in _WORDS:
            word = _WORDS[name]
        elif name in terminals and terminals[name].pattern.type == "str":
            word = f"'{terminals[name].pattern.value}'"
        else:
            word = name.lower()
        if word not in words:
            words.append(word)
    if len(words) > 1:
        return ", ".join(words[:-1]) + " or " + words[-1]
    return words[0] if words else "something else"


def _fallback_hint(before: str) -> str | None:
    """A hint from the text before the error, for slips the example table does not catch."""
    code = re.sub(r"#[^\n]*", "", before)
    for opening, closing in ("()", "[]", "{}"):
        if code.count(opening) > code.count(closing):
            return f"a '{opening}' is not closed: add the matching '{closing}'"
        if code.count(closing) > code.count(opening):
            return f"a '{closing}' has no matching '{opening}'"
    if re.search(r"[\w)\]}]\s+x\s*$", code):
        return "a repeat needs its count, for example conv3-64 x2 or (conv3-64, relu) x{n}"
    slip = re.search(r"(?i)(conv|deconv|fc)[\d{}x]*-\s*$", code)
    if slip:
        return _layer_hint(slip.group(1).lower())
    return None


def _syntax_error(error: UnexpectedInput, text: str) -> SymcnnError:
    hint = None
    if isinstance(error, (UnexpectedToken, UnexpectedEOF)):
        try:
            hint = error.match_examples(lambda t: _parser().parse(t, start="start"), _HINTS, use_accepts=True)
        except Exception:  # noqa: BLE001 - a failed hint lookup must never hide the real error
            hint = None
    at_end = isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END")
    if hint is None:
        hint = _fallback_hint(text if at_end else text[: getattr(error, "pos_in_stream", None) or len(text)])
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        shown = repr(char) if char.isprintable() and char else f"U+{ord(char):04X}" if char else "end of input"
        message = f"unexpected character {shown}; expected {_describe(set(error.allowed or ()))}"
        if char and char in "×–—‐":
            hint = "use the ASCII letter x for repeats and sizes, and the ASCII '-' in layers"
        if "\udc80" <= char <= "\udcff":  # how Python passes on a byte of argv that is not UTF-8
            message = f"byte 0x{ord(char) - 0xDC00:02X} is not UTF-8 text"
    elif isinstance(error, UnexpectedToken):
        token = error.token
        found = "end of input" if token.type == "$END" else f"'{token}'" if token.type != "_SEP_NL" else "new line"
        message = f"unexpected {found}; expected {_describe(set(error.accepts or error.expected))}"
    else:
        message = f"unexpected end of input; expected {_describe(set(error.expected))}"
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if at_end or not isinstance(line, int) or line < 1:  # point just past the text
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return SymcnnError(message, "syntax error", text, line, column, hint)


def _prescan(text: str) -> None:
    if len(text) > limits.MAX_INPUT_CHARS:
        raise SymcnnError(f"the input has {len(text):,} characters; the limit is {limits.MAX_INPUT_CHARS:,}", "limit")
    depth, line, column = 0, 1, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        elif char in "([{":
            depth += 1
            if depth > limits.MAX_NESTING:
                raise SymcnnError(f"brackets nest more than {limits.MAX_NESTING} deep", "limit", text, line, column)
        elif char in ")]}":
            depth -= 1
        elif char == "\0":
            raise SymcnnError("the input contains a NUL character", "syntax error", text, line, column)


def _fail_error(fail: _Fail, text: str) -> SymcnnError:
    span = fail.span
    return SymcnnError(fail.message, fail.kind, text, span.line if span else None, span.column if span else None, fail.hint)


_EXPRESSION_RULES = {"add", "sub", "mul_op", "div", "floordiv", "neg", "pow", "func"}
_CHAINS = {"add": ("add", "sub", "sum"), "sub": ("add", "sub", "sum"), "mul_op": ("mul_op", "div", "product"),
           "div": ("mul_op", "div", "product")}


def _check_written_size(tree: Tree) -> None:
    """Every expression has at most MAX_EXPR_NODES operators and operands, before any is built."""
    sizes: dict[int, int] = {}
    for node in tree.iter_subtrees():  # children before their parents
        if node.data in _EXPRESSION_RULES:
            sizes[id(node)] = size = 1 + sum(sizes.get(id(child), 1) for child in node.children)
            if size > limits.MAX_EXPR_NODES:
                raise _Fail(f"expression too large (more than {limits.MAX_EXPR_NODES:,} operators and operands)",
                            _span(node.meta), kind="limit")


def _flatten_chains(tree: Tree) -> None:
    """Rewrite a + b - c as sum(a, b, neg(c)) and a * b / c as product(a, b, reciprocal(c)), in place.

    Built one operator at a time, a chain of n terms costs SymPy n^2 work (each step sorts
    all the terms so far: seconds for a few hundred); built at once, n log n. The value is
    the same; a product may group its factors differently (2*c*(a + b) for (a + b)*2*c).
    """
    for node in tree.iter_subtrees_topdown():  # the top of a chain before its inner links
        if node.data not in _CHAINS:
            continue
        first, second, name = _CHAINS[node.data]
        parts: list[Any] = []
        link = node
        while isinstance(link, Tree) and link.data in (first, second):
            left, right = link.children
            parts.append(right if link.data == first else Tree("neg" if name == "sum" else "reciprocal", [right],
                                                                 link.meta))
            link = left
        parts.append(link)
        node.data, node.children = name, parts[::-1]


def _run(text: str, start: str) -> Any:
    _prescan(text)
    try:
        tree = _parser().parse(text, start=start)
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    try:
        _check_written_size(tree)
        _flatten_chains(tree)
        return _Build().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, _Fail):
            raise _fail_error(error.orig_exc, text) from None
        raise
    except _Fail as fail:
        raise _fail_error(fail, text) from None


def parse_dims(text: str) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """``224x224x3`` (or ``HxWx3``, ``{32*h}x{32*h}x3``) as three values."""
    dims = _run(text, "dims")
    if len(dims) != 3:
        raise SymcnnError(f"an input size is HxWxC, three sizes; '{text}' gives {len(dims)}", "error")
    return dims


def parse_assignment(text: str) -> tuple[str, sympy.Expr]:
    """``K=1000`` or ``a=0.75`` as a name and an exact value."""
    name, value = _run(text, "assignment")
    if value.free_symbols:
        raise SymcnnError(f"the value of {name} must be a number, not {value}", "error", text)
    return name, value


def parse(text: str) -> Network:
    """Parse the notation into a :class:`~symcnn.network.Network`.

    >>> import symcnn
    >>> net = symcnn.parse("conv3-64 x2, pool2, fc-K")
    >>> [type(item).__name__ for item in net.body.items]
    ['Repeat', 'Pool', 'FC']
    """
    lines = _run(text, "start")
    header: tuple[sympy.Expr, ...] | None = None
    definitions: dict[str, Definition] = {}
    items: list[Node] = []
    for line in lines:
        if isinstance(line, Definition):
            if line.name in definitions:
                raise SymcnnError(f"'{line.name}' is defined twice", "error", text, line.span.line, line.span.column)
            _check_calls(line.body, definitions, text, line)
            definitions[line.name] = line
        elif isinstance(line, tuple):
            _tag, dims, span = line
            if header is not None or items:
                raise SymcnnError("the input line must come first, and only once", "error", text, span.line, span.column)
            header = dims
        else:
            for item in line:
                _check_calls(item, definitions, text, None)
            items.extend(line)
    body = Seq(tuple(items), Span(1, 1, 0, len(text)))
    dims = tuple(header) if header else DEFAULT_INPUT
    # Names that size the input are positive integers, so that floor((H - 1)/1) + 1 is H.
    sizes = {s: sympy.Symbol(s.name, positive=True, integer=True) for d in dims for s in d.free_symbols}
    if sizes:
        dims = tuple(d.xreplace(sizes) for d in dims)
        body = _map_values(body, sizes)
        definitions = {name: _map_values(d, sizes) for name, d in definitions.items()}
    return Network(dims, tuple(definitions.values()), body, text)  # type: ignore[arg-type]


def _map_values(node: Any, replace: dict[sympy.Symbol, sympy.Expr]) -> Any:
    """The same node with every SymPy value (at any depth) passed through xreplace."""
    if isinstance(node, sympy.Basic):
        return node.xreplace(replace)
    if isinstance(node, tuple):
        return tuple(_map_values(item, replace) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, Span):
        changes = {f.name: _map_values(getattr(node, f.name), replace) for f in dataclasses.fields(node)}
        return dataclasses.replace(node, **changes)
    return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, Seq):
        return list(node.items)
    if isinstance(node, Repeat):
        return [node.body]
    if isinstance(node, Residual):
        return [node.main] + ([node.shortcut] if node.shortcut else [])
    if isinstance(node, Concat):
        return list(node.branches)
    if isinstance(node, Gate):
        return [node.body]
    return []


def _check_calls(node: Node, definitions: dict[str, Definition], text: str, inside: Definition | None) -> None:
    """Every call names an earlier definition with the right number of arguments."""
    stack = [node]
    while stack:
        current = stack.pop()
        stack.extend(_children(current))
        if not isinstance(current, Call):
            continue
        span = current.span
        if inside is not None and current.name == inside.name:
            raise SymcnnError(f"'{current.name}' uses itself: recursive definitions are not allowed", "error", text,
                              span.line, span.column)
        definition = definitions.get(current.name)
        if definition is None:
            raise SymcnnError(f"unknown layer or definition '{current.name}'", "error", text, span.line, span.column,
                              _unknown_hint(current.name, definitions))
        if len(current.args) != len(definition.params):
            wanted = len(definition.params)
            raise SymcnnError(
                f"'{current.name}' takes {wanted} argument{'s' * (wanted != 1)}, but is given {len(current.args)}",
                "error", text, span.line, span.column,
                f"it is defined at line {definition.span.line} as {current.name}({', '.join(map(str, definition.params))})",
            )


def _unknown_hint(name: str, definitions: dict[str, Definition]) -> str | None:
    slip = re.fullmatch(r"(?i)(conv|dwconv|deconv|fc|pool|maxpool|avgpool)(\d+(?:x\d+)?)?[_ ](\w+)", name)
    if slip:
        return f"did you mean {slip.group(1)}{slip.group(2) or ''}-{slip.group(3)}?"
    if re.fullmatch(r"(?i)x\d+", name):
        return f"a repeat follows the item it repeats: conv3-64 {name}"
    known = sorted(SIMPLE_LAYERS) + sorted(definitions)
    close = difflib.get_close_matches(name.lower(), known, n=1)
    if close:
        return f"did you mean {close[0]}?"
    return "layers are conv, dwconv, deconv, fc, pool, avgpool, apool, upsample, " + ", ".join(sorted(SIMPLE_LAYERS))
