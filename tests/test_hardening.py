"""Hostile and mistaken input: a result or SymcnnError, quickly; every limit; the CLI as a real process.

The hypothesis tests here run a small number of cases in the normal test run; set
SYMCNN_FUZZ_EXAMPLES (``benchmarks/fuzz.py`` does) for a long run.
"""

from __future__ import annotations

from datetime import timedelta

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcnn
from symcnn import cli, limits, syntax

EXAMPLES = int(os.environ.get("SYMCNN_FUZZ_EXAMPLES", "0"))
"""Cases per fuzz test: 0 means each test's own small number (the normal test run)."""


def fuzz(examples: int) -> settings:
    """Hypothesis settings: ``examples`` cases, or SYMCNN_FUZZ_EXAMPLES for a long run."""
    # 5 s per case: a command line runs in-process (its first case imports the renderers); a slow path still fails.
    return settings(max_examples=EXAMPLES or examples, deadline=timedelta(seconds=5), database=None,
                    suppress_health_check=list(HealthCheck))


def outcome(text: str) -> int | str:
    """The params at the network's own input (8x8x3 for a symbolic one, other names at 2), or our error's message.

    The params stay symbolic where a layer names an input size (conv{H}-8): --at gives the
    input another size, it does not bind the name.
    """
    try:
        analysis = symcnn.parse(text).analyze()
        analysis.totals  # the symbolic totals, as --formula and --json build them
        names = {name: 2 for name in analysis.network.symbols if name not in ("H", "W", "C")}
        symbolic = bool(analysis.network.sizes)
        numeric = analysis.at("8x8x3" if symbolic else None, **names)
        params = numeric.totals["params"]
        return params if isinstance(params, int) else str(params)
    except symcnn.SymcnnError as error:
        str(error)  # the message itself must build
        return error.message


def chain(count: int, body: str, step: str) -> str:
    """Definitions d0 = body, d<i> = step (with {p} the previous one), and a use of the last."""
    lines = [f"def d0 = {body}"] + [f"def d{i} = " + step.format(p=f"d{i - 1}") for i in range(1, count)]
    return "\n".join(lines + [f"d{count - 1}"])


CONV4 = 3 * 3 * 3 * 4 + 4  # conv3-4 on 3 channels: 112 params
NEAR_MISSES = [
    # deep nesting, just inside and far past the limit
    ("brackets 49 deep", "(" * 49 + "conv3-4" + ")" * 49, CONV4),
    ("res 49 deep", "res(" * 49 + "relu" + ")" * 49, 0),
    ("expression parentheses 48 deep", "conv3-{" + "(" * 48 + "4" + ")" * 48 + "}", CONV4),
    ("10,000 open brackets", "(" * 10_000 + "relu", "nest more than 50 deep"),
    ("10,000 open braces", "conv3-" + "{" * 10_000, "nest more than 50 deep"),
    ("definitions 45 deep", chain(45, "conv3-4", "{p}"), CONV4),
    # huge numbers
    ("20-digit channels", "conv3-99999999999999999999", 28 * (10**20 - 1)),
    ("20-digit input", "input 99999999999999999999x99999999999999999999x3\nconv1-2, gap, fc-10", 8 + 30),
    ("990-digit outputs", "fc-{(10^99)^10}, fc-1", 194 * 10**990 + 1),
    ("1,980-digit weights", "fc-{(10^99)^10}, fc-{(10^99)^10}", "more than 1,000 digits"),
    ("a million-digit power", "conv3-{10^1000000}", "exponent must be a whole number"),
    # huge repeat counts, unrolled or through definitions and their arguments
    ("repeat x10^20", "relu x99999999999999999999", "expands to more than 10,000 layers"),
    ("nested repeats", "((relu x1000) x1000)", "expands to more than 10,000 layers"),
    ("repeats through definitions", chain(8, "relu", "({p}) x10"), "expands to more than 10,000 layers"),
    ("doubling definitions", chain(30, "relu", "{p}, {p}"), "expands to more than 10,000 layers"),
    ("a repeat count as an argument", "def f(n) = relu x{n}\nf(10001)", "expands to more than 10,000 layers"),
    ("a symbolic repeat", "relu x{n}, conv3-4", CONV4),
    # recursion
    ("recursive def", "def f(a) = f(a)\nf(1)", "recursive definitions are not allowed"),
    ("mutually recursive defs", "def f = g\ndef g = f\nf", "unknown layer or definition 'g'"),
    ("a def calling a later def", "def f = g\ndef g = relu\nf", "unknown layer or definition 'g'"),
    # zero and negative sizes
    ("zero input", "input 0x0x3\nconv3-64", "the input height is 0"),
    ("negative input", "input {-8}x8x3\nrelu", "the input height is -8"),
    ("negative channels", "conv3-{-4}", "the number of filters is -4"),
    ("zero kernel", "conv0-3", "the kernel height is 0"),
    ("zero stride", "pool2/0", "the stride is 0"),
    ("negative padding", "conv3-4[p=-1]", "the padding is -1"),
    ("zero groups", "conv3-4[g=0]", "the number of groups is 0"),
    ("zero upsampling", "upsample0", "the factor is 0"),
    ("zero repeat", "relu x0", "the repeat count is 0"),
    ("negative repeat", "relu x{-1}", "the repeat count is -1"),
    ("a window larger than the input", "input 2x2x1\npool3", "the output height is 0"),
    # division by zero
    ("1/0", "conv3-{1/0}", "division by zero"),
    ("0^-1", "conv3-{0^-1}", "division by zero"),
    ("1//0", "conv3-{1//0}", "division by zero"),
    ("1/(a-a)", "conv3-{1/(a-a)}", "division by zero"),
    ("floor(1/0)", "fc-{floor(1/0)}", "division by zero"),
    # non-integer values
    ("3/2 channels", "conv3-{3/2}", "the number of filters is 3/2"),
    ("0.5 channels", "conv3-{0.5}", "the number of filters is 1/2"),
    ("a 1.5 kernel", "conv{1.5}-4", "the kernel height is 3/2"),
    ("half a repeat", "relu x{1/2}", "the repeat count is 1/2"),
    # unicode look-alikes of x and -
    ("minus sign", "conv3\u221264", "unexpected character '\u2212'"),
    ("hyphen", "conv3\u201064", "unexpected character '\u2010'"),
    ("multiplication sign", "conv3-64 \u00d72", "unexpected character '\u00d7'"),
    ("Cyrillic x in a repeat", "conv3-64 \u04452", "unexpected character '\u0445'"),
    ("Cyrillic x in a size", "input 8\u04458\u04453\nrelu", "unexpected character '\u0445'"),
    ("full-width letters", "\uff43\uff4f\uff4e\uff56\uff13-64", "unexpected character '\uff43'"),
    ("no-break space", "conv3-64\u00a0x2", "unexpected character U+00A0"),
    ("byte-order mark", "\ufeffconv3-4", "unexpected character U+FEFF"),
    ("a lone surrogate", "conv3-\ud800", "unexpected character U+D800"),
    # Python's int() would read any Unicode digit; the grammar takes ASCII digits only.
    ("Arabic-Indic digit in a layer head", "conv\u0663-4", "unexpected character '\u0663'"),
    # very long lines, a NUL byte, nothing at all
    ("9,000 layers on one line", "conv3-4, " * 9_000, CONV4 + (3 * 3 * 4 * 4 + 4) * 8_999),
    ("a 190,000-character comment", "# " + "x" * 190_000 + "\nconv3-4", CONV4),
    ("a 150,000-character name", "a" * 150_000, "unknown layer or definition"),
    ("trailing spaces", "conv3-4" + " " * 190_000, CONV4),
    ("a NUL byte", "conv3-4\0", "NUL character"),
    ("only a NUL byte", "\0", "NUL character"),
    ("nothing", "", 0),
    ("only a comment", "# nothing here", 0),
    ("Windows line ends", "conv3-4\r\npool2\r\n", CONV4),
    # expressions that grow when multiplied out or compared
    ("a power of a sum", "conv3-{(a+b+c+d+e+f+g+h)^100}", "more than 1,000 terms when multiplied out"),
    ("a product of powers", "conv3-{(a+b)^100*(c+d)^100}", "more than 1,000 terms when multiplied out"),
    ("two large layers", "conv3-{(a+b+c)^20}, conv3-{(d+e+f)^20}", "more than 20,000 terms"),
    ("upsampling by 10^99 a thousand times", "input 1x1x1\n(upsample{10^99}) x1000", "more than 1,000 digits"),
    ("channels doubling 3,330 times", "input 1x1x1\n(concat(id | id)) x3330", "more than 1,000 digits"),
    ("max of 20 names", "conv3-{max(" + ", ".join(f"a{i}" for i in range(20)) + ")}", "more than 8 arguments"),
    ("nested max", "conv3-{" + "".join(f"max(a{i}, " for i in range(20)) + "1" + ")" * 20 + "}",
     "more than 8 arguments"),
    ("Python in a slot", "conv3-{__import__('os').system('id')}", "unexpected"),
]


@pytest.mark.parametrize("text, expected", [pytest.param(t, e, id=i) for i, t, e in NEAR_MISSES])
def test_near_miss_ends_in_a_result_or_our_error_within_seconds(text: str, expected: int | str) -> None:
    start = time.perf_counter()
    result = outcome(text)
    assert time.perf_counter() - start < 5  # generous for a shared machine; most take milliseconds
    if isinstance(expected, int):
        assert result == expected
    else:
        assert isinstance(result, str) and expected in result


# Limits that tests/test_errors.py does not hit (there: input length, bracket and definition
# nesting, layers through one repeat and 2^30 doubling macros, digits of a typed number).
LIMITS = [
    ("MAX_EXPR_NODES", "conv3-{" + "+".join(f"a{i}" for i in range(600)) + "}",
     "expression too large (more than 1,000 operators and operands)"),
    ("MAX_EXPR_NODES", "conv3-{(a+b+c)^60}", "expression too large: more than 1,000 terms when multiplied out"),
    ("MAX_TERMS", "conv3-{(a+b+c)^20}, conv3-{(d+e+f)^20}", "more than 20,000 terms when multiplied out"),
    ("MAX_TERMS", "def f(k) = bn x{(a+b+c+k)^12}\n" + ", ".join(f"f({k})" for k in range(1, 60)),
     "the symbolic totals would have more than 20,000 terms"),
    ("MAX_MIN_MAX_ARGS", "conv3-{min(a, b, c, d, e, f, g, h, i)}", "min has more than 8 arguments"),
    ("MAX_DIGITS", "input 1x1x1\n(upsample{10^99}) x1000", "a number with more than 1,000 digits"),
    ("MAX_DIGITS", "conv3-{10^100*10^100*10^100*10^100*10^100*10^100*10^100*10^100*10^100*10^100*10^100}",
     "a number with more than 1,000 digits"),
    ("MAX_LAYERS", chain(18, "relu", "{p}, {p}"), "expands to more than 10,000 layers"),
    ("MAX_LAYERS", "def f(n) = (relu x{n}) x{n}\nf(400)", "expands to more than 10,000 layers"),
    ("MAX_SIZE_TERMS", "input HxWx3\npool2/2[p=1, ceil=true] x30", "has grown past 2,000 terms"),
]
TESTED_IN_TEST_ERRORS = {"MAX_INPUT_CHARS", "MAX_NESTING", "MAX_LAYERS", "MAX_DIGITS"}


@pytest.mark.parametrize("name, text, message", LIMITS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(LIMITS)])
def test_limit_gives_its_clear_error_well_within_a_second(name: str, text: str, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(symcnn.SymcnnError) as caught:
        symcnn.parse(text).analyze().totals
    assert time.perf_counter() - start < 1
    assert caught.value.kind == "limit"
    assert message in caught.value.message


def test_every_limit_is_tested() -> None:
    constants = {name for name in vars(limits) if name.startswith("MAX_")}
    assert constants == {name for name, _, _ in LIMITS} | TESTED_IN_TEST_ERRORS


def test_a_limit_counts_the_expression_as_written_before_building_it() -> None:
    """a+a+...+a is only 1001*a once built, but 2,001 operators and operands to build."""
    with pytest.raises(symcnn.SymcnnError, match="operators and operands"):
        symcnn.parse("conv3-{" + "+".join(["a"] * 1001) + "}")


@pytest.mark.parametrize("operator", ["+", "-", "*", "/"])
def test_long_sums_and_products_build_in_linear_time(operator: str) -> None:
    """Built one operator at a time, 499 terms took seconds (each step sorted all the terms so far)."""
    text = "conv3-{" + operator.join(f"a{i}" for i in range(499)) + "}"
    start = time.perf_counter()
    symcnn.parse(text)
    assert time.perf_counter() - start < 1


# The parser cache: in the user's cache folder, plain data only, never trusted blindly.
class _Planted:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path("/tmp/symcnn-planted").touch, ())


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01.", None])
def test_a_damaged_or_hostile_parser_cache_is_rebuilt_and_never_run(tmp_path: Path, content: bytes | None) -> None:
    import pickle

    syntax.parser.load_parser(tmp_path)  # writes the cache
    (cached,) = tmp_path.glob("parser-*.pickle")
    marker = Path("/tmp/symcnn-planted")
    marker.unlink(missing_ok=True)
    cached.write_bytes(pickle.dumps(_Planted()) if content is None else content)
    parser = syntax.parser.load_parser(tmp_path)
    assert not marker.exists()  # the planted object was not built: nothing of it ran
    assert parser.parse("conv3-64 x2", start="start").data == "start"


def test_an_unwritable_cache_folder_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    parser = syntax.parser.load_parser(blocker / "cache")  # its parent is a file: nothing can be written there
    assert parser.parse("224x224x3", start="dims").data == "dims"


# The command line as a real process.
def symcnn_process(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "symcnn.cli", *args], capture_output=True, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    (folder / "latin1.cnn").write_bytes("# caf\u00e9\nconv3-64\n".encode("latin-1"))
    (folder / "ok.cnn").write_text("input 8x8x3\nconv3-4\n")
    (folder / "not-a-folder").write_text("")
    return folder


CLI_ERRORS = [
    (["vgg16", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    (["vgg16", "--at"], "expected one argument"),
    (["vgg16", "--dtype", "fp8"], "invalid choice: 'fp8'"),
    (["{folder}/not-a-folder/x.cnn"], "cannot read"),
    (["{folder}/missing.cnn"], "no such file"),
    (["{folder}"], "is a directory"),
    (["{folder}/latin1.cnn"], "not UTF-8 text"),
    ([b"conv3-64\xff"], "byte 0xFF is not UTF-8 text"),
    (["vgg16", "--at", b"224x224x\xe93"], "byte 0xE9 is not UTF-8 text"),
    (["vgg16", "--set", "K=1"], "no name 'K'"),
    (["conv3-64 \u00d72"], "ASCII letter x"),
    ([], "give a network"),
]


@pytest.mark.parametrize("args, message", CLI_ERRORS)
def test_cli_errors_are_one_clear_message_and_exit_2(files: Path, args: list[str | bytes], message: str) -> None:
    argv = [a.replace("{folder}", str(files)) if isinstance(a, str) else a for a in args]
    done = symcnn_process(*argv, cwd=files)
    stderr = done.stderr.decode("utf-8", "backslashreplace")
    assert done.returncode == 2, stderr
    assert message in stderr
    assert "Traceback" not in stderr
    assert done.stdout == b""


def test_cli_reads_a_file(files: Path) -> None:
    done = symcnn_process(str(files / "ok.cnn"), "--json", cwd=files)
    assert done.returncode == 0
    assert b'"params": 112' in done.stdout


@pytest.mark.parametrize("reader", ["head -1", "head -c 10", "true"])
def test_a_closed_pipe_is_a_quiet_success(files: Path, reader: str) -> None:
    """The reader has what it wanted (resnet152's table, 100 kB, is larger than a pipe's buffer)."""
    script = f"set -o pipefail; {sys.executable} -m symcnn.cli resnet152 2>err | {reader}; echo \"status=$?\""
    done = subprocess.run(["bash", "-c", script], capture_output=True, cwd=files, timeout=120)
    assert done.stdout.decode().endswith("status=0\n")  # pipefail: symcnn's own exit status is 0
    assert (files / "err").read_text() == ""


def test_an_unwritable_output_is_a_clear_error() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "symcnn.cli", "lenet5"], stdout=full, stderr=subprocess.PIPE,
                              timeout=120)
    assert done.returncode == 2
    assert done.stderr == b"symcnn: cannot write the output: No space left on device\n"


def test_an_internal_error_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def broken(argv: list[str]) -> str:
        raise ValueError("a bug")

    monkeypatch.setattr(cli, "run", broken)
    assert cli.main(["vgg16"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "symcnn: internal error (ValueError: a bug); please report it with the command line\n"


# Hypothesis over command lines: every flag the help texts list, valid and broken values.
def _help(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.main([*argv, "--help"])
    return out.getvalue()


COMMANDS = [[]] + [[name] for name in sorted(cli.SUBCOMMANDS)]
FLAGS = sorted({flag for command in COMMANDS for flag in re.findall(r"(?<![\w-])--?[a-zA-Z][\w-]*", _help(command))})
CHOICES = sorted({choice for command in COMMANDS for group in re.findall(r"\{([\w,.-]+)\}", _help(command))
                  for choice in group.split(",")})
VALUES = [
    "224x224x3", "8x8x3", "HxWx3", "{2*h}x{2*h}x3", "0x0x0", "1x1x1", "8x8", "K=10", "K=0.5", "K=", "=1", "a=2",
    "w=0.25:2:0.25", "r=96:384:32", "r=1:1:0", "w=2:1:1", "0.75", "-1", "0", "2", "32", "99999999999999999999", "1e9",
    "params <= 10e6", "macs <= 1e9 and params <= 1e6", "params <= 0", "params >= 1", "w", "r", "N", "x", "", "--",
    "-", "{1/0}", "nan", "inf", "\udcff", "a='\\alpha'", "w='", "out.png", "/dev/null", "/etc/passwd/x.cnn", *CHOICES,
]
ARCHITECTURES = ["conv3-8, pool2, fc-K", "input HxWx3\nconv{k}-{c}/2, gap, fc-10", "res(conv3-4, relu)", "lenet5",
                 "conv3-", "rellu", "vgg", "{1/0}", "def f(a) = conv1-{a}\nf(w)", "."]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A command (mostly the main one), an architecture, flags each with a value or not, and now and then junk."""
    command = draw(st.one_of(st.just([]), st.sampled_from(COMMANDS)))
    argv = [*command, draw(st.sampled_from(ARCHITECTURES))]
    for _ in range(draw(st.integers(0, 5))):
        argv.append(draw(st.sampled_from(FLAGS)))
        if draw(st.booleans()):
            argv.append(draw(st.sampled_from(VALUES)))
    if draw(st.integers(0, 4)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(st.text(max_size=12)))
    return argv


SCRATCH = tempfile.mkdtemp(prefix="symcnn-fuzz-")
"""The working folder of fuzzed command lines: where a --plot FILE they name would be written."""


def run_main(argv: list[str]) -> tuple[int, str]:
    """Exit status and stderr of ``symcnn ARGV``, run in this process."""
    err = io.StringIO()
    here = os.getcwd()
    os.chdir(SCRATCH)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = cli.main(argv)
    except SystemExit as exit:  # argparse: --help, or a usage error
        status = exit.code if isinstance(exit.code, int) else 2
    finally:
        os.chdir(here)
    return status, err.getvalue()


def test_fuzzing_sees_the_flags_of_every_command() -> None:
    assert {"--at", "--set", "--json", "--formula", "--help"} <= set(FLAGS)
    assert {"fp16", "fp32"} <= set(CHOICES)


@fuzz(60)
@given(command_lines())
def test_any_command_line_exits_0_or_2_without_a_traceback(argv: list[str]) -> None:
    status, err = run_main(argv)
    assert status in (0, 2), (argv, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)


# Hypothesis over the notation: expressions, definitions and calls, and near-miss tokens.
NAMES = st.sampled_from(["a", "b", "k", "n", "H", "w", "x", "def", "floor", "_", "a1"])
NUMBERS = st.sampled_from(["0", "1", "2", "3", "7", "64", "0.5", ".5", "1.", "99999999999999999999", "1" * 1001])


def expressions(depth: int = 3) -> st.SearchStrategy[str]:
    leaf = st.one_of(NAMES, NUMBERS)
    if depth == 0:
        return leaf
    inner = expressions(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda a, op, b: f"{a}{op}{b}", inner, st.sampled_from(["+", "-", "*", "/", "//", "^", "**", " "]),
                  inner),
        st.builds(lambda a: f"({a})", inner),
        st.builds(lambda a: f"-{a}", inner),
        st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(["floor", "ceil", "min", "max", "f"]),
                  st.lists(inner, min_size=0, max_size=3)),
    )


SLOTS = ["conv{e}-8", "conv3-{e}", "conv3-8/{e}", "conv3-8[p={e}]", "fc-{e}", "pool{e}", "upsample{e}", "relu x{e}",
         "input {e}x8x3\nrelu", "def f(a) = conv1-{{a}}\nf({e})"]


@fuzz(150)
@given(st.sampled_from(SLOTS), expressions())
def test_any_expression_in_any_slot_gives_a_result_or_our_error(slot: str, expression: str) -> None:
    outcome(slot.replace("{e}", "{" + expression + "}"))
    for text, parse in ((f"K={expression}", syntax.parse_assignment), (f"{{{expression}}}x8x3", syntax.parse_dims)):
        with contextlib.suppress(symcnn.SymcnnError):
            parse(text)


ITEMS = st.sampled_from(["conv3-4", "relu", "pool2", "bn", "f", "g(2)", "f(k)", "g(n, 2)", "res(f)", "concat(f | g(1))",
                         "mul(gap, fc-4, sigmoid)", "(f, g(3)) x2", "f x{n}", "h", "f x3", "conv{k}-{c}", "fc-K"])


@st.composite
def programs(draw: st.DrawFn) -> str:
    """Definitions that use each other (and themselves, or later ones: errors), then items."""
    lines = []
    for name in draw(st.lists(st.sampled_from(["f", "g", "h"]), max_size=4)):
        params = draw(st.sampled_from(["", "(n)", "(k, c)", "(n, n)", "()"]))
        lines.append(f"def {name}{params} = " + ", ".join(draw(st.lists(ITEMS, min_size=1, max_size=4))))
    lines.append(", ".join(draw(st.lists(ITEMS, min_size=1, max_size=5))))
    return "\n".join(lines)


@fuzz(150)
@given(programs())
def test_any_program_of_definitions_gives_a_result_or_our_error(text: str) -> None:
    outcome(text)


NEAR_MISS_TOKENS = ["conv3-64", "conv3\u221264", "\u00d72", "\u04452", " x2", "x", "-", "{", "}", "(", ")", "[", "]", "|",
                    ",", "\n", "\0", "\ufeff", "\u00a0", "\t", "\r\n", "#", "def", "input", "res", "concat", "mul",
                    "=", "/", "//", "^", "{1/0}", "{-1}", "99999999999999999999", "0", "relu", "fc-K", "pool2",
                    "[p=1]", "[s=2, g=2]", "[bias=false]", "\ud800", "conv\u0663-4", "f(2)", "def f(a) = conv1-{a}"]


@fuzz(200)
@given(st.lists(st.sampled_from(NEAR_MISS_TOKENS), max_size=30))
def test_any_sequence_of_near_miss_tokens_gives_a_result_or_our_error(tokens: list[str]) -> None:
    outcome("".join(tokens))
    outcome(" ".join(tokens))
