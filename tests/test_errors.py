"""Every kind of bad input gets SymcnnError with a location, a caret and a useful message."""

from __future__ import annotations

import time

import pytest

import symcnn
from symcnn import limits

# text, values, expected fragment of the message, line, column, expected fragment of the hint (or None)
ERRORS = [
    # syntax: line, column, caret, what was expected, a hint for common slips
    ("conv3-", {}, "unexpected end of input; expected a value", 1, 7, "conv<k>-<n>"),
    ("conv3-64 x", {}, "unexpected end of input; expected a value", 1, 11, "repeat needs its count"),
    ("(conv3-64, relu", {}, "expected ')'", 1, 16, "'(' is not closed"),
    ("conv3-64)", {}, "unexpected ')'", 1, 9, "no matching '('"),
    ("conv3-64[s=2", {}, "unexpected end of input", 1, 13, "name=value inside [ ]"),
    ("conv3-{64*w", {}, "unexpected end of input", 1, 12, "closed with '}'"),
    ("relu\nconv3-64 ; pool2", {}, "unexpected character ';'", 2, 10, None),
    ("conv3\u201364", {}, "unexpected character", 1, 6, "ASCII '-'"),
    ("conv3-64 \u00d72", {}, "unexpected character", 1, 10, "ASCII letter x"),
    ("conv\u0663-4", {}, "unexpected character", 1, 5, None),  # an Arabic-Indic 3 is not a kernel size
    ("input 224x224", {}, "three sizes", 1, 1, None),
    ("conv3-64\ninput 32x32x3", {}, "input line must come first", 2, 1, None),
    # unknown layers, options and names
    ("conv3_64", {}, "unknown layer or definition 'conv3_64'", 1, 1, "did you mean conv3-64?"),
    ("rellu", {}, "unknown layer or definition 'rellu'", 1, 1, "did you mean relu?"),
    ("x2", {}, "unknown layer or definition 'x2'", 1, 1, "follows the item it repeats"),
    ("conv3-64[q=2]", {}, "does not take the option 'q'; it takes stride, padding, dilation, groups, bias", 1, 10,
     None),
    ("pool2[g=2]", {}, "it takes stride, padding, ceil", 1, 7, None),
    ("relu[s=2]", {}, "it takes no options", 1, 6, None),
    ("conv3-64[bias=2]", {}, "takes true or false", 1, 10, None),
    ("conv3-64[s=true]", {}, "takes a number", 1, 10, None),
    ("conv3-64[s=1, s=2]", {}, "given twice", 1, 15, None),
    ("relu(2)", {}, "relu takes no arguments", 1, 1, None),
    ("fc-4/2", {}, "fc takes no stride", 1, 1, None),
    ("pool2-64", {}, "pool takes no channel count", 1, 1, "pool<k>"),
    ("conv-64", {}, "conv needs a kernel size", 1, 1, "conv3-64"),
    ("conv3-{x}", {}, "'x' is a keyword", 1, 8, None),
    # definitions
    ("block(3)", {}, "unknown layer or definition 'block'", 1, 1, None),
    ("def f(a) = conv1-{a}\nf(1, 2)", {}, "'f' takes 1 argument, but is given 2", 2, 1, "defined at line 1 as f(a)"),
    ("def f = relu\ndef f = relu", {}, "'f' is defined twice", 2, 1, None),
    ("def f = f", {}, "recursive definitions are not allowed", 1, 9, None),
    ("def f = g\ndef g = f", {}, "unknown layer or definition 'g'", 1, 9, None),
    ("def relu = id", {}, "built-in name", 1, 1, None),
    ("def f(a, a) = relu", {}, "named twice", 1, 1, None),
    # shapes: name the layer and show the sizes
    ("input 4x4x3\npool2 x3", {}, "layer 3 'pool2' (input 1x1x3): the output height is 0", 2, 1, None),
    ("input 2x2x1\nconv5-1[p=0]", {}, "layer 1 'conv5-1[p=0]' (input 2x2x1): the output height is -2", 2, 1, None),
    ("input 4x4x3\nres(conv3-8)", {}, "res: the branch output is 4x4x8 but the shortcut output is 4x4x3", 2, 1, None),
    ("input 4x4x3\nconcat(id | pool2)", {}, "concat: branch 1 output is 4x4x3 but branch 2 output is 2x2x3", 2, 1,
     None),
    ("input 4x4x3\nmul(pool2)", {}, "mul: the gate output is 2x2x3", 2, 1, None),
    ("input 4x4x3\nconv3-8 x{n}", {}, "needs an item that keeps its input shape", 2, 1, None),
    ("input 4x4x6\nconv3-8[g=4]", {}, "4 groups do not divide the 6 input channels", 2, 1, None),
    # values
    ("input 8x8x3\nconv3-{64*w}", {"w": "3/10"}, "the number of filters is 96/5, but must be a positive integer", 2,
     1, None),
    ("input 8x8x3\nconv3-0", {}, "the number of filters is 0", 2, 1, None),
    ("input 8x8x3\n(relu) x0", {}, "the repeat count is 0", 2, 1, None),
    ("conv3-{1/0}", {}, "division by zero", 1, 8, None),
    ("conv3-{2^n}", {}, "exponent must be a whole number", 1, 8, None),
    ("conv3-{floor(1, 2)}", {}, "floor takes one argument", 1, 8, None),
    # limits
    ("input 8x8x3\nrelu x1000000000", {}, "expands to more than 10,000 layers", 2, 1, "x{n}"),
    ("conv3-{(10^100)^11}", {}, "more than 1,000 digits", 1, 8, None),
    ("conv3-{10^999}", {}, "exponent must be a whole number from -100 to 100", 1, 8, None),
    ("conv3-" + "9" * 1001, {}, "number too long", 1, 7, None),
    ("(" * 60 + "relu" + ")" * 60, {}, "nest more than 50 deep", 1, 51, None),
]


@pytest.mark.parametrize("text, values, message, line, column, hint", ERRORS)
def test_error(text: str, values: dict, message: str, line: int, column: int, hint: str | None) -> None:
    with pytest.raises(symcnn.SymcnnError) as caught:
        analysis = symcnn.parse(text).analyze()
        analysis.at(None, **values) if values else analysis.rows
    error = caught.value
    assert message in error.message
    assert (error.line, error.column) == (line, column)
    if hint is not None:
        assert error.hint is not None and hint in error.hint
    shown = str(error).splitlines()
    quoted, caret = shown[1], shown[2]
    assert caret.index("^") == len("  ") + column - 1  # the caret stands under the column
    assert quoted.strip() == text.split("\n")[line - 1].strip()[:120]


def test_input_length_limit() -> None:
    with pytest.raises(symcnn.SymcnnError, match="limit is 200,000"):
        symcnn.parse("relu, " * (limits.MAX_INPUT_CHARS // 6 + 1))


def test_macro_expansion_is_bounded() -> None:
    """Definitions that double at each level would make 2^30 layers; the limit stops them early."""
    lines = ["def d0 = relu"] + [f"def d{i} = d{i - 1}, d{i - 1}" for i in range(1, 31)] + ["d30"]
    start = time.perf_counter()
    with pytest.raises(symcnn.SymcnnError, match="more than 10,000 layers"):
        symcnn.parse("\n".join(lines)).analyze().at("1x1x1")
    assert time.perf_counter() - start < 60  # a generous bound: the point is that it stops at all


def test_deep_definition_chains_are_bounded() -> None:
    lines = ["def d0 = relu"] + [f"def d{i} = d{i - 1}" for i in range(1, 200)] + ["d199"]
    with pytest.raises(symcnn.SymcnnError, match="nest more than 50 deep"):
        symcnn.parse("\n".join(lines)).analyze().rows


def test_messages_quote_the_input_and_never_carry_a_traceback() -> None:
    error = pytest.raises(symcnn.SymcnnError, symcnn.parse, "conv3-64, pool2,\nfc-4096 x").value
    assert str(error) == (
        "syntax error at line 2, column 10: unexpected end of input; expected a value "
        "(a number, a name or a {braced expression})\n"
        "  fc-4096 x\n"
        "           ^\n"
        "hint: a repeat needs its count, for example conv3-64 x2 or (conv3-64, relu) x{n}"
    )


def test_sizes_too_large_to_write_are_still_computed_at_given_values() -> None:
    network = symcnn.parse("input HxWx3\npool2/2[p=1, ceil=true] x30, conv3-8")
    assert network.analyze().at("100x37x3").totals["params"] == 224


@pytest.mark.parametrize("given, shown", [(lambda: symcnn.load("vgg16"), "not a Network"),
                                          (lambda: "vgg16", "not a str ('vgg16')")])
def test_to_torch_of_something_else_than_an_analysis_says_what_to_give(given: object, shown: str) -> None:
    with pytest.raises(symcnn.SymcnnError) as raised:
        symcnn.to_torch(given())  # type: ignore[operator]
    assert shown in str(raised.value) and ".analyze().at(" in str(raised.value)
