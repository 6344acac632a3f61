"""Properties over random input: formulas agree with exact integers; nothing but SymcnnError escapes."""

from __future__ import annotations

from datetime import timedelta

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symcnn

SPATIAL_LAYERS = st.one_of(
    st.builds(lambda k, n, s: f"conv{k}-{n}/{s}", st.sampled_from([1, 3, 5]), st.integers(1, 8), st.integers(1, 2)),
    st.builds(lambda k, n, p: f"conv{k}-{n}[p={p}]", st.sampled_from([1, 3]), st.integers(1, 8), st.integers(0, 2)),
    st.builds(lambda k, n, d: f"conv{k}x{n}-4[d={d}]", st.sampled_from([1, 3]), st.sampled_from([1, 3]),
              st.integers(1, 2)),
    st.builds(lambda k, s: f"dwconv{k}/{s}", st.sampled_from([3, 5]), st.integers(1, 2)),
    st.builds(lambda k, s, c: f"pool{k}/{s}[ceil={c}]", st.integers(2, 3), st.integers(1, 2),
              st.sampled_from(["true", "false"])),
    st.builds(lambda k, s, p: f"avgpool{k}/{s}[p={p}]", st.integers(2, 4), st.integers(1, 3), st.integers(0, 1)),
    st.builds(lambda k, n, s: f"deconv{k}-{n}/{s}", st.integers(1, 4), st.integers(1, 6), st.integers(1, 3)),
    st.sampled_from(["bn", "relu", "lrn", "upsample2", "id", "res(conv3-{c}, relu)".replace("{c}", "4")]),
    st.builds(lambda n: f"conv1-{n}, bn, relu", st.integers(1, 6)),
)
HEADS = st.sampled_from(["", "gap, fc-K", "fc-K", "gmp", "flatten, fc-3"])

# Parsing and analysing one small random network takes milliseconds; 2 s per case (generous for a shared
# 2-core machine) still catches a path that goes slow, which deadline=None would let pass.
DEADLINE = timedelta(seconds=2)


@st.composite
def networks(draw: st.DrawFn) -> str:
    layers = draw(st.lists(SPATIAL_LAYERS, min_size=1, max_size=6))
    return ", ".join(layers + [draw(HEADS)]).strip(", ")


@settings(max_examples=300, deadline=DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.integers(8, 40), st.integers(8, 40), st.integers(1, 4), st.integers(1, 5))
def test_symbolic_formulas_evaluate_to_the_exact_integer_analysis(text: str, h: int, w: int, c: int, k: int) -> None:
    network = symcnn.parse(text)
    try:
        numeric = network.analyze().at(f"{h}x{w}x4", **({"K": k} if "K" in network.symbols else {}))
    except symcnn.SymcnnError:
        assume(False)  # the random network does not fit this input size
        return
    try:
        symbolic = network.analyze().at("HxWx4")
        formulas = symbolic.totals
    except symcnn.SymcnnError as error:
        # Residual shapes that agree only for some sizes are rejected symbolically, with the reason.
        assert "agree only for some input sizes" in (error.hint or "")
        return
    bind = {s: v for s, v in zip(symbolic.input, (h, w)) if s.is_Symbol}
    bind.update({s: k for name, s in network.symbols.items() if name == "K"})
    for key, formula in formulas.items():
        assert sympy.sympify(formula).xreplace(bind) == numeric.totals[key], (key, formula)
        assert type(numeric.totals[key]) is int
    # Row by row: the int path (every size known) is the formula evaluated at the same point.
    assert len(symbolic.rows) == len(numeric.rows)
    for formula_row, number_row in zip(symbolic.rows, numeric.rows):
        for key in ("output", "weights", "biases", "buffers", "macs", "activations"):
            formula_values, number_values = getattr(formula_row, key), getattr(number_row, key)
            if key != "output":
                formula_values, number_values = (formula_values,), (number_values,)
            for formula_value, number in zip(formula_values, number_values):
                assert type(number) is int, (key, number_row.name)
                assert sympy.sympify(formula_value).xreplace(bind) == number, (key, number_row.name, formula_value)


ALPHABET = "conv3-64x2,pool(|)[]{}=/* \n#relufcbndwgap.0123456789HKw^"
TOKENS = ["conv3-64", "conv", "3", "-", "64", "x", "2", ",", "\n", "(", ")", "|", "[", "]", "{", "}", "s=2", "p=1",
          "bias=false", "res", "concat", "mul", "def", "f", "=", "input", "8x8x3", "pool2", "fc-K", "bn", "relu",
          "{1/0}", "{2^n}", "x{n}", "gap", "upsample2", "deconv4-8/2", "dwconv3", "#", "f(2)", "def f(a) = conv1-{a}"]


def run_any(text: str) -> None:
    try:
        analysis = symcnn.parse(text).analyze()
        analysis.rows
        analysis.at("8x8x3", **{name: 2 for name in analysis.network.symbols if name not in "HWC"})
    except symcnn.SymcnnError as error:
        str(error)  # the message itself must build


@settings(max_examples=300, deadline=DEADLINE)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_random_text_gives_a_result_or_our_error(text: str) -> None:
    run_any(text)


@settings(max_examples=300, deadline=DEADLINE)
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_random_token_sequences_give_a_result_or_our_error(tokens: list[str]) -> None:
    run_any(" ".join(tokens))
    run_any("".join(tokens))


@settings(max_examples=100, deadline=DEADLINE)
@given(st.text(max_size=40))
def test_arbitrary_unicode_gives_a_result_or_our_error(text: str) -> None:
    run_any(text)
