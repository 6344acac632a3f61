"""Friendly syntax errors: what was expected in words, and a hint for the common slips.

The hints come from a table of example mistakes matched with Lark's ``match_examples``
(as in Lark's own examples), and otherwise from the text before the error.
"""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .. import limits
from ..errors import SymcnnError
from ..layers import REGISTRY
from .parser import tree_parser

_VALUE = {"INT", "NAME", "LBRACE"}
_WORDS = {
    "NAME": "a name",
    "DIM_NAME": "a name",
    "INT": "a number",
    "DECIMAL": "a number",
    "FUNC": "floor, ceil, min, max, round or make_divisible",
    "POW": "^",
    "TRUE": "true",
    "FALSE": "false",
    "BRACE_X": "'}x{'",
    "_SEP_COMMA": "','",
    "_SEP_NL": "a new line",
    "$END": "the end of the input",
}

REPEAT_HINT = "a repeat needs its count, for example conv3-64 x2 or (conv3-64, relu) x{n}"
_HINTS = {
    "a convolution is conv<k>-<n>, for example conv3-64": ["conv3-", "conv3-,", "conv3-)", "conv3-\n"],
    REPEAT_HINT: ["conv3-64 x", "conv3-64 x,", "(relu) x)", "relu x\n"],
    "a '(' is not closed: add the matching ')'": ["(conv3-64", "(conv3-64,", "res(relu", "concat(relu | relu",
                                                  "mul(relu\n", "f(2"],
    "a ')' has no matching '('": ["relu)", "conv3-64)", "(relu))"],
    "an option is name=value inside [ ], for example conv3-64[s=2, p=0]": ["conv3-64[s]", "conv3-64[s=]",
                                                                          "conv3-64[", "conv3-64[s=2"],
    "a braced expression is closed with '}', for example conv3-{64*w}": ["conv3-{64", "conv3-{64*w", "conv{3-64"],
}


def _describe(expected: set[str]) -> str:
    terminals = {t.name: t for t in tree_parser().terminals}
    words: list[str] = []
    if _VALUE <= expected:
        words.append("a value (a number, a name or a {braced expression})")
        expected = expected - _VALUE - {"DECIMAL"}
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
        return REPEAT_HINT
    slip = re.search(r"(?i)([a-z]+)[\d{}x]*-\s*$", code)
    if slip and slip.group(1).lower() in REGISTRY and REGISTRY[slip.group(1).lower()].dash is not None:
        return REGISTRY[slip.group(1).lower()].hint
    return None


def syntax_error(error: UnexpectedInput, text: str) -> SymcnnError:
    """The SymcnnError for a Lark syntax error: where, what was found, what was expected, a hint."""
    hint = None
    if isinstance(error, (UnexpectedToken, UnexpectedEOF)):
        try:
            hint = error.match_examples(lambda t: tree_parser().parse(t, start="start"), _HINTS, use_accepts=True)
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
        if token.type == "BRACE_X":
            hint = "a repeat after a braced value needs a space before the x: conv3-{c} x{n}"
    else:
        message = f"unexpected end of input; expected {_describe(set(error.expected))}"
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if at_end or not isinstance(line, int) or line < 1:  # point just past the text
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return SymcnnError(message, "syntax error", text, line, column, hint)


def prescan(text: str) -> None:
    """Refuse input that is too long, nests too deep or holds a NUL, before the parser sees it."""
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


def unknown_hint(name: str, known: list[str]) -> str | None:
    """A hint for a word that is neither a layer nor a definition: a slip of punctuation, or the nearest word."""
    slip = re.fullmatch(r"(?i)([a-z]+)(\d+(?:x\d+)?)?[_ ](\w+)", name)
    if slip and slip.group(1).lower() in REGISTRY and REGISTRY[slip.group(1).lower()].dash is not None:
        return f"did you mean {slip.group(1)}{slip.group(2) or ''}-{slip.group(3)}?"
    if re.fullmatch(r"(?i)x\d+", name):
        return f"a repeat follows the item it repeats: conv3-64 {name}"
    words = sorted(word for word, kind in REGISTRY.items() if kind.head is None)
    import difflib

    close = difflib.get_close_matches(name.lower(), words + known, n=1)
    if close:
        return f"did you mean {close[0]}?"
    return "layers are " + ", ".join(sorted(REGISTRY))
