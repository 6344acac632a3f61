"""Cold loads of the playground in headless Chromium: when Pyodide is ready, when the first numbers show.

Run: python benchmarks/web_load.py [--runs 5] [--site DIR] [--screenshot docs/playground.png]. Each run is a
new browser (nothing cached) loading the default view; the figure that matters is the ratio of the first
numbers to Pyodide's own readiness (target: at most 1.5), both measured from navigation in the same run.
``--screenshot`` then saves the page with vgg16 picked (the README's picture).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import Served, described, launch, load

from symcnn.web import build

IDLE = "() => window.symcnnIdle && window.symcnnIdle()"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="a built site (default: build one into a temporary folder)")
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    site = args.site or Path(tempfile.mkdtemp()) / "site"
    if not build.current(site):
        build.build(site)
    served = Served(site)
    ratios = []
    with sync_playwright() as p:
        for run in range(args.runs):
            served.log.clear()
            browser = launch(p, "/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1400, "height": 1250 if args.screenshot else 1000})
            page.goto(served.url)
            page.wait_for_function(IDLE, timeout=90_000)
            found = load(page, served)
            ratios.append(found["first numbers"] / found["pyodide"])
            print(f"run {run + 1}: {described(found)}")
            if args.screenshot and run == args.runs - 1:
                page.select_option("#model", "vgg16")
                page.wait_for_function(IDLE, timeout=90_000)
                page.screenshot(path=str(args.screenshot))
                print(f"screenshot: {args.screenshot}")
            browser.close()
    print(f"first numbers / Pyodide ready: median {statistics.median(ratios):.2f}, "
          f"range {min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} cold loads")


if __name__ == "__main__":
    main()
