"""The long fuzz run: the hypothesis tests of tests/test_hardening.py with many more cases.

The normal test run gives each fuzz test a few hundred cases; this runs them with
SYMCNN_FUZZ_EXAMPLES set per test, two at a time, and prints how many cases each ran
(hypothesis's own count of passing and failing examples) and the outcome::

    python benchmarks/fuzz.py                # 210,000 cases, about 18 minutes on 2 cores
    python benchmarks/fuzz.py --scale 0.01   # a quick look

Exit status 0 when every case passed, 1 otherwise (the failing example is printed).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "test_any_sequence_of_near_miss_tokens_gives_a_result_or_our_error": 100_000,
    "test_any_expression_in_any_slot_gives_a_result_or_our_error": 40_000,
    "test_any_program_of_definitions_gives_a_result_or_our_error": 50_000,
    "test_any_command_line_exits_0_or_2_without_a_traceback": 20_000,
}
"""Cases per test at --scale 1: the grammar (tokens), the expression language, macros, the CLI arguments."""


def run(test: str, examples: int) -> tuple[str, int, int, float, str]:
    """One test with ``examples`` cases: its name, passing and failing counts, seconds, and pytest's output."""
    env = {**os.environ, "SYMCNN_FUZZ_EXAMPLES": str(examples)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header",
                           "--hypothesis-show-statistics", f"tests/test_hardening.py::{test}"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    # hypothesis --hypothesis-show-statistics: "- 20 passing, 0 failing, and 2 invalid test cases" per phase
    counts = re.findall(r"(\d+) passing, (\d+) failing", done.stdout)
    passing = sum(int(p) for p, _ in counts)
    failing = sum(int(f) for _, f in counts) + (done.returncode != 0 and not counts)
    return test, passing, failing if done.returncode == 0 else max(failing, 1), seconds, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every test's number of cases")
    parser.add_argument("--jobs", type=int, default=2, help="tests run at the same time (default 2)")
    args = parser.parse_args()
    plan = {test: max(1, round(cases * args.scale)) for test, cases in CASES.items()}
    print(f"fuzzing {sum(plan.values()):,} cases in {len(plan)} tests, {args.jobs} at a time", flush=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda item: run(*item), plan.items()))
    total = failed = 0
    for test, passing, failing, seconds, output in results:
        total += passing + failing
        failed += failing
        print(f"{passing + failing:>9,} cases {failing:>3} failed {seconds:>8.1f} s  {test}")
        if failing:
            print(output[-6000:])
    print(f"{total:,} cases in {time.perf_counter() - start:.0f} s: {'all passed' if not failed else f'{failed} FAILED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
