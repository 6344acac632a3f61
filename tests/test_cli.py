"""The command line: outputs, exit codes, and no tracebacks."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import symcnn
from symcnn.cli import main, run

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def symcnn_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symcnn.cli", *args], capture_output=True, text=True, timeout=120)


def test_the_readme_one_liner_agrees_with_the_python_api() -> None:
    text = "conv3-64 x2, pool2, fc-K"
    printed = json.loads(run([text, "--set", "K=10", "--at", "32x32x3", "--json"]))
    api = symcnn.parse(text).analyze().at("32x32x3", K=10)
    assert printed["totals"] == {key: int(value) for key, value in api.totals.items()}
    assert printed["totals"]["params"] == 202_570


def test_json_has_the_documented_shape() -> None:
    data = json.loads(run(["vgg16", "--at", "224x224x3", "--json", "--formulas"]))
    assert data["input"] == {"H": 224, "W": 224, "C": 3}
    assert set(data["totals"]) == {"params", "weights", "biases", "buffers", "macs", "flops", "activations",
                                   "activation_bytes", "param_bytes"}
    assert data["totals"]["params"] == 138_357_544
    assert data["formulas"]["params"] == "138357544"  # torchvision's adaptive pool: the same for every H, W
    assert data["formulas"]["macs"].startswith("38592*H*W + 7077888*floor(H/16)*floor(W/16)")
    first = data["layers"][1]
    assert {k: first[k] for k in ("index", "name", "kind", "output", "weights", "biases", "params", "buffers",
                                  "macs", "activations")} == {
        "index": 1, "name": "conv3-64", "kind": "conv", "output": [224, 224, 64], "weights": 1728, "biases": 64,
        "params": 1792, "buffers": 0, "macs": 86_704_128, "activations": 3_211_264}


def test_symbolic_json_values_are_strings() -> None:
    data = json.loads(run(["conv3-8, fc-K", "--json"]))
    assert data["totals"]["params"] == "72*C + 8*H*K*W + K + 8"
    assert data["totals"]["buffers"] == 0


@pytest.mark.parametrize("args, expected", [
    (["vgg16", "--at", "224x224x3"], "(3*3*3)*64 = 1,728"),
    (["vgg16", "--at", "224x224x3"], "params       138,357,544"),
    # CS231n's 15,237,608 values and torchvision's adaptive pool to 7x7x512 (25,088), 2 bytes each
    (["vgg16", "--at", "224x224x3", "--dtype", "fp16"], "15,262,696 elements = 30,525,392 bytes"),
    # conv layers 305,856*H*W; fc 7*7*512*4096 + 4096*4096 + 4096*1000 = 123,633,664 (fc1 fixed by the adaptive pool)
    (["vgg16", "--formula"], "macs             = 305856*H*W + 123633664"),
    (["vgg16", "--formula"], "when H and W are multiples of 32:"),
    (["vgg16", "--divisible", "32"], "assuming the input height and width are multiples of 32"),
    (["vgg16", "--markdown", "--at", "224x224x3"], "| `conv3-64` | 224×224×64 | 1,728 |"),
    ([str(EXAMPLES / "vgg.cnn"), "--at", "224x224x3", "--set", "n1=1", "--set", "n2=1", "--set", "n3=2",
      "--set", "n4=2", "--set", "n5=2"], "132,863,336"),
    (["--list"], "vgg19"),
])
def test_outputs(args: list[str], expected: str) -> None:
    assert expected in run(args)


@pytest.mark.parametrize("args, message", [
    (["conv3-"], "syntax error at line 1, column 7"),
    (["resnet9000"], "no built-in model 'resnet9000'"),
    (["vgg16", "--at", "224x224"], "three sizes"),
    (["vgg16", "--set", "K"], "syntax error"),
    (["vgg16", "--set", "Q=1"], "no name 'Q'"),
    (["vgg16", "--at", "16x16x3"], "output height is 0"),
    (["missing.cnn"], "no such file: missing.cnn"),
    ([], "give a network"),
    # surprises removed: each an error rather than a flag ignored or a value replaced without a word
    (["relux2"], "a repeat is written with a space: 'relu x2'"),
    (["RESNET05"], "did you mean resnet50"),
    ([""], "the network is empty"),
    (["   "], "the network is empty"),
    (["vgg16", "--resolution", "128", "--at", "224x224x3"], "--resolution and --at both set the input size"),
    (["vgg16", "--expand"], "--expand applies to the LaTeX and Markdown tables"),
    (["lenet5", "--divisible", "4"], "--divisible 4 does nothing here"),
    (["vgg16", "--divisible", "4", "--at", "224x224x3"], "give one"),
    (["fc-K", "--set", "K=1", "--set", "K=2"], "--set gives K twice"),
    # stopped at once: the memory peak over piecewise channel counts took minutes
    (["densenet121", "--width", "w", "--round-channels", "8", "--amp", "fp16"], "needs a number for the width"),
])
def test_bad_input_exits_2_with_one_clear_message(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_model_names_are_case_insensitive_and_files_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    assert run(["VGG16", "--at", "224x224x3"]) == run(["vgg16", "--at", "224x224x3"])
    path = tmp_path / "bom.cnn"
    path.write_bytes("\ufeffinput 8x8x3\nconv3-4\n".encode())
    assert json.loads(run([str(path), "--json"]))["totals"]["params"] == 3 * 9 * 4 + 4


def test_standard_input_is_read_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("input 8x8x3\nconv3-4 x2\n"))
    assert json.loads(run(["-", "--json"]))["totals"]["params"] == (3 * 9 * 4 + 4) + (4 * 9 * 4 + 4)


def test_help_lists_the_subcommands_with_an_example_each(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    for command in ("symcnn solve vgg16", "symcnn sweep resnet50", "symcnn compare vgg16"):
        assert command in shown


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["vgg16", "--no-such-flag"])
    assert exit_.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_the_installed_entry_point_runs_as_a_process() -> None:
    done = symcnn_process("vgg16", "--at", "224x224x3", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["totals"]["macs"] == 15_470_264_320
    failed = symcnn_process("conv3-64 x")
    assert failed.returncode == 2 and "Traceback" not in failed.stderr and "hint:" in failed.stderr


def test_the_command_line_offers_the_memory_models_choices() -> None:
    from symcnn import cli, memory

    assert (cli.OPTIMIZERS, cli.AMP_DTYPES, cli.DEVICES) == (tuple(memory.OPTIMIZER_COPIES), memory.AMP_DTYPES,
                                                            memory.DEVICES)


def test_a_symbolic_table_fits_the_terminal_and_numbers_stay_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    full = run(["resnet50"])
    assert max(len(line) for line in full.splitlines()) > 400  # a file gets every formula in full
    monkeypatch.setenv("COLUMNS", "100")
    fitted = run(["resnet50"])
    table = fitted.split("\n\ntotals")[0].splitlines()
    assert max(len(line) for line in table) <= 140 < max(len(line) for line in full.split("\n\ntotals")[0].splitlines())
    assert "…" in fitted and "--formula and --json show them in full" in fitted
    assert "  params       25,557,032 (25,529,472 weights + 27,560 biases)" in fitted  # numbers are never cut
    assert all(len(line) <= 100 for line in fitted.split("\n\nconventions")[1].splitlines())
    # a numeric table is never cut: only the prose under it is wrapped
    fitted_rows = [line for line in run(["vgg16", "--at", "224x224x3"]).splitlines() if line[:2].strip().isdigit()]
    monkeypatch.delenv("COLUMNS")
    assert fitted_rows == [line for line in run(["vgg16", "--at", "224x224x3"]).splitlines()
                           if line[:2].strip().isdigit()]


def _table(output: str) -> list[list[str]]:
    """The text table's rows split into columns (two or more spaces apart)."""
    lines = output.split("\n\ntotals")[0].splitlines()[2:]
    return [[cell for cell in re.split(r"\s{2,}", line.strip())] for line in lines]


@pytest.mark.parametrize("depth", [None, 0, 1, 2])
def test_folded_and_compact_tables_still_add_up_to_the_totals(depth: int | None) -> None:
    # torchinfo's invariant: re-add the printed column, whatever is folded or left out
    args = ["resnet50", "--at", "224x224x3", "--compact"] + ([] if depth is None else ["--depth", str(depth)])
    rows = _table(run(args))
    for column, total in ((-1, 4_089_184_256), (-2, 25_557_032)):
        assert sum(int(row[column].replace(",", "")) for row in rows) == total
    assert not any(row[1].endswith("relu") for row in rows)
    assert (depth == 0) == all("├" not in row[1] for row in rows)


def test_branches_are_marked_and_joins_sit_at_the_block_level() -> None:
    out = run(["input 8x8x4\ndef blk = conv1-4, relu\nconcat(id | pool3/1[p=1], conv1-2 | res(blk)), side(gap, fc-2)"])
    names = [row[1] for row in _table(out)]
    assert names == ["input", "├ id", "├ pool3/1[p=1]", "│ conv1-2", "├ ├ conv1-4", "│ │ relu", "│ add", "concat",
                     "⤷ gap", "┊ fc-2"]


def test_units_and_percent() -> None:
    out = run(["vgg16", "--at", "224x224x3", "--units", "--percent"])
    assert "params       138.36 M (138,357,544): 138,344,128 weights + 13,416 biases" in out
    assert "58.22 MiB (61,050,784 bytes)" in out and "--units: counts in k, M, G" in out
    shares = [float(row[-1]) for row in _table(out)]
    assert abs(sum(shares) - 100) < 0.05 * len(shares)  # each share rounded to 0.1


@pytest.mark.parametrize("args, message", [
    (["vgg16", "--depth", "1", "--json"], "--depth, --compact, --units and --percent shape the text table"),
    (["vgg16", "--units", "--csv"], "shape the text table"),
    (["vgg16", "--depth", "-1"], "give 0 or more"),
])
def test_text_table_options_apply_to_the_text_table(args: list[str], message: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_after_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    from symcnn.cli.common import progress

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert list(progress(range(3), 3, "sweep")) == [0, 1, 2]
    assert sys.stderr.getvalue() == ""  # a pipe or a file gets no bar
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert list(progress(range(3), 3, "sweep")) == [0, 1, 2]
    assert terminal.getvalue() == ""  # quick: tqdm's delay keeps it silent

    def slow() -> Iterator[int]:
        for i in range(3):
            time.sleep(0.6)
            yield i

    assert list(progress(slow(), 3, "sweep")) == [0, 1, 2]
    assert "sweep" in terminal.getvalue()


@pytest.mark.parametrize("args, first_line", [
    (["vgg16", "--formula", "--batch", "N"], "exact totals in H, N, W:"),
    (["lenet5", "--formula"], "exact totals in no names (the network's sizes are all numbers):"),
])
def test_formula_headers_name_what_the_formulas_are_in(args: list[str], first_line: str) -> None:
    assert run(args).splitlines()[0] == first_line


def test_scientific_numbers_everywhere_and_a_repr_that_says_what_it_is() -> None:
    params = json.loads(run(["vgg16", "--width", "1e300", "--at", "224x224x3", "--json"]))["totals"]["params"]
    assert params == 134246400 * 10**600 + 4110144 * 10**300 + 1000  # the width formula, exactly
    assert json.loads(run(["fc-K", "--at", "1x1x3", "--set", "K=1e3", "--json"]))["totals"]["params"] == 4000
    assert repr(symcnn.load("vgg16").analyze()) == "<symcnn.Analysis (symbolic) of 40 rows at HxWx3>"
