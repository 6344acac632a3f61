"""Whole-process wall time and peak memory of symcnn against its import floors and torchinfo; in-process rates.

Every process measurement is a fresh child, timed from start to exit, its peak resident
memory read from ``os.wait4`` (the child's own ``ru_maxrss``); each is repeated (best of
``--repeat``) because the machine is shared and noisy, and every ratio compares figures of
the same run. It measures:

1. ``symcnn vgg16 --at 224x224x3`` and ``symcnn resnet152 --at 224x224x3`` (numeric: no SymPy)
   against the floor ``python -c "import lark"`` (target: within 2x) and against torchinfo
   (target: at least 15x faster and 20x less peak memory);
2. ``symcnn vgg16 --formula`` and resnet152 against ``python -c "import sympy, lark"``
   (target: within 1.5x);
3. in-process: 1,000 distinct random networks parsed, analysed and evaluated at 224x224x3
   (target: at least 1,000 a second), for the property tests' networks (one to six layers and
   a head) and for larger ones (two to eight blocks of residuals, branches and gates):
   ``benchmarks/networks.py``;
4. the anchors, when a venv with them exists: torchinfo ``summary()`` and fvcore
   ``FlopCountAnalysis`` of VGG-16 and ResNet-152 at 224x224, as plain PyTorch modules built
   in this file (with torchvision's parameter counts, checked on every run). Make the venv with::

       python -m venv /tmp/bench-venv
       /tmp/bench-venv/bin/pip install torch==2.13.0 torchinfo fvcore

   (torch 2.13.0 is pinned: it is the CPU build; an unpinned torch pulls a CUDA build);
5. scaling: generated plain networks of 10 to 9,999 conv layers (the layer limit is 10,000 rows, the
   input included), symbolic and numeric, with the log-log growth exponent from 1,000 to 9,999
   layers; and a 10^6-point sweep.

The children run with bytecode compiled (as an installed package runs): the script compiles
symcnn first. It prints every figure, the ratios and the targets::

    python benchmarks/bench.py                  # about 10 minutes
    python benchmarks/bench.py --repeat 1 --quick
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TORCH_PARAMS = {"vgg16": 138_357_544, "resnet152": 60_192_808}  # torchvision's, as the papers and symcnn give them


@dataclass
class Run:
    seconds: float  # best wall time over the repeats
    peak_mb: float  # largest peak resident memory over the repeats
    output: str  # standard output of the last run


def measure(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> Run:
    """Best wall time and peak memory of ``argv`` as a child process."""
    times: list[float] = []
    peaks: list[float] = []
    output = ""
    for _ in range(repeat):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            child = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env)
            _, status, usage = os.wait4(child.pid, 0)
            times.append(time.perf_counter() - start)
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            output = out.read().decode()
            if child.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{err.read().decode()[-3000:]}")
        peaks.append(usage.ru_maxrss / 1024)  # kilobytes on Linux
    return Run(min(times), max(peaks), output)


# The anchors: VGG-16 and ResNet-152 as torchvision builds them, written here in plain torch.
ANCHOR = '''
import sys, torch
from torch import nn

def vgg16():
    layers, c = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(512 * 7 * 7, 4096),
                         nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(),
                         nn.Linear(4096, 1000))

class Bottleneck(nn.Module):
    def __init__(self, c, n, stride):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, n, 1, bias=False), nn.BatchNorm2d(n), nn.ReLU(True),
                                  nn.Conv2d(n, n, 3, stride, 1, bias=False), nn.BatchNorm2d(n), nn.ReLU(True),
                                  nn.Conv2d(n, 4 * n, 1, bias=False), nn.BatchNorm2d(4 * n))
        self.short = None if stride == 1 and c == 4 * n else nn.Sequential(
            nn.Conv2d(c, 4 * n, 1, stride, bias=False), nn.BatchNorm2d(4 * n))
        self.relu = nn.ReLU(True)

    def forward(self, x):
        return self.relu(self.body(x) + (x if self.short is None else self.short(x)))

def resnet152():
    layers, c = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(True), nn.MaxPool2d(3, 2, 1)], 64
    for n, blocks, stride in [(64, 3, 1), (128, 8, 2), (256, 36, 2), (512, 3, 2)]:
        for i in range(blocks):
            layers.append(Bottleneck(c, n, stride if i == 0 else 1))
            c = 4 * n
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))

tool, name = sys.argv[1], sys.argv[2]
model = {"vgg16": vgg16, "resnet152": resnet152}[name]().eval()
if tool == "torchinfo":
    import torchinfo
    stats = torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0)
    print(stats.total_params, stats.total_mult_adds)
else:
    from fvcore.nn import FlopCountAnalysis
    flops = FlopCountAnalysis(model, torch.randn(1, 3, 224, 224))
    flops.unsupported_ops_warnings(False)
    flops.uncalled_modules_warnings(False)
    print(sum(p.numel() for p in model.parameters()), flops.total())
'''

# The scaling child: parse and analyse a generated network, report the analysis time alone.
SCALING = '''
import sys, time
import symcnn
text = open(sys.argv[1]).read()
start = time.perf_counter()
analysis = symcnn.parse(text).analyze()
if sys.argv[2] == "numeric":
    analysis = analysis.at("224x224x3")
totals = analysis.totals
print(time.perf_counter() - start, totals["macs"])
'''

SWEEP = '''
import sys, time
import numpy, sympy, symcnn
analysis = symcnn.load("resnet50").analyze()
macs = analysis.totals["macs"]
h, w = analysis.input[0], analysis.input[1]
start = time.perf_counter()
f = sympy.lambdify((h, w), macs, "numpy")
sizes = numpy.arange(32, 32 + 1000, dtype=numpy.int64)
H, W = numpy.meshgrid(sizes, sizes)
values = f(H, W)
seconds = time.perf_counter() - start
for i, j in [(0, 0), (192, 192), (999, 500)]:  # exact against the analysis at those sizes
    exact = analysis.at(f"{int(H[i, j])}x{int(W[i, j])}x3").totals["macs"]
    assert int(values[i, j]) == exact, (int(values[i, j]), exact)
print(seconds, values.size)
'''


RATE = '''
import sys, time
sys.path.insert(0, sys.argv[2])
import symcnn
from networks import networks

kind = sys.argv[1]
texts = []
for text in networks(2000, kind):  # 1,000 that fit 224x224x3 (some random ones do not)
    try:
        symcnn.parse(text).analyze().at("224x224x3", **({"K": 1000} if "K" in text else {})).totals
        texts.append(text)
    except symcnn.SymcnnError:
        pass
texts = texts[:1000]
best = 0.0
for _ in range(3):
    start = time.perf_counter()
    for text in texts:
        symcnn.parse(text).analyze().at("224x224x3", **({"K": 1000} if "K" in text else {})).totals
    best = max(best, len(texts) / (time.perf_counter() - start))
start = time.perf_counter()
for text in texts:
    symcnn.parse(text)
print(len(texts), best, len(texts) / (time.perf_counter() - start))
'''


def plain_network(layers: int) -> str:
    return "input HxWx3\n" + ", ".join(["conv3-16"] * layers) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement; the best counts")
    parser.add_argument("--venv", type=Path, default=Path("/tmp/bench-venv"), help="the venv with torchinfo and fvcore")
    parser.add_argument("--quick", action="store_true", help="scaling up to 1,000 layers only")
    args = parser.parse_args()
    r = args.repeat
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "symcnn")], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; best of {r} runs each\n")

    def show(label: str, run: Run, floor: Run | None = None) -> None:
        ratio = f"  {run.seconds / floor.seconds:5.2f}x floor" if floor else ""
        print(f"  {label:<52} {run.seconds:7.3f} s {run.peak_mb:8.1f} MB{ratio}", flush=True)

    print("whole process (wall time, peak resident memory)")
    lark_floor = measure([PYTHON, "-c", "import lark"], r, env)
    show("floor: python -c 'import lark'", lark_floor)
    sympy_floor = measure([PYTHON, "-c", "import sympy, lark"], r, env)
    show("floor: python -c 'import sympy, lark'", sympy_floor)
    symcnn: dict[tuple[str, str], Run] = {}
    for model in ("vgg16", "resnet152"):
        symcnn[model, "numeric"] = run = measure([PYTHON, "-m", "symcnn.cli", model, "--at", "224x224x3"], r, env)
        show(f"symcnn {model} --at 224x224x3", run, lark_floor)
        symcnn[model, "formula"] = run = measure([PYTHON, "-m", "symcnn.cli", model, "--formula"], r, env)
        show(f"symcnn {model} --formula", run, sympy_floor)

    anchors: dict[tuple[str, str], Run] = {}
    venv_python = args.venv / "bin" / "python"
    if venv_python.exists():
        for tool in ("torchinfo", "fvcore"):
            for model in ("vgg16", "resnet152"):
                anchors[tool, model] = run = measure([str(venv_python), "-c", ANCHOR, tool, model], r, env)
                params, macs = run.output.split()
                assert int(params) == TORCH_PARAMS[model], (model, params)  # the same network as torchvision's
                show(f"{tool} {model} (params {int(params):,}, MACs {int(float(macs)):,})", run)
    else:
        print(f"  (no anchors: {venv_python} does not exist; see the docstring)")

    print("\nratios")
    for model in ("vgg16", "resnet152"):
        numeric, formula = symcnn[model, "numeric"], symcnn[model, "formula"]
        line = (f"  {model:<10} numeric / import lark {numeric.seconds / lark_floor.seconds:4.2f} (target <= 2)  "
                f"--formula / import sympy, lark {formula.seconds / sympy_floor.seconds:4.2f} (target <= 1.5)")
        if ("torchinfo", model) in anchors:
            info = anchors["torchinfo", model]
            line += (f"\n  {'':<10} torchinfo / symcnn: time {info.seconds / numeric.seconds:4.1f}x (target >= 15), "
                     f"peak memory {info.peak_mb / numeric.peak_mb:4.1f}x (target >= 20)")
        print(line)

    print("\nin-process: 1,000 distinct random networks, parsed, analysed and evaluated at 224x224x3")
    for kind in ("small", "large"):
        run = measure([PYTHON, "-c", RATE, kind, str(ROOT / "benchmarks")], 1, env)
        count, rate, parse_rate = run.output.split()
        print(f"  {kind:<6} {int(count):,} networks: {float(rate):6.0f} networks/s (target >= 1,000); "
              f"parsing alone {float(parse_rate):6.0f}/s")

    print("\nscaling: plain networks of conv3-16 layers (whole process; analysis alone, as the child measures it)")
    depths = [10, 100, 1_000] if args.quick else [10, 100, 1_000, 9_999]  # 9,999 layers + the input: the limit
    alone: dict[tuple[str, int], float] = {}
    whole: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for depth in depths:
            path = Path(folder) / f"plain{depth}.cnn"
            path.write_text(plain_network(depth))
            for mode in ("symbolic", "numeric"):
                run = measure([PYTHON, "-c", SCALING, str(path), mode], r, env)
                alone[mode, depth] = float(run.output.split()[0])
                whole[mode, depth] = run.seconds
                print(f"  {depth:>6} layers {mode:<8} {run.seconds:7.3f} s whole {alone[mode, depth]:7.3f} s analysis "
                      f"{run.peak_mb:8.1f} MB", flush=True)
    low, high = depths[-2], depths[-1]
    for mode in ("symbolic", "numeric"):
        exponent = math.log(alone[mode, high] / alone[mode, low]) / math.log(high / low)
        raw = math.log(whole[mode, high] / whole[mode, low]) / math.log(high / low)
        print(f"  growth exponent {low:,} -> {high:,} layers, {mode}: {exponent:.2f} analysis (target <= 1.1), "
              f"{raw:.2f} whole process")

    sweep = measure([PYTHON, "-c", SWEEP], r, env)
    seconds, points = sweep.output.split()
    print(f"\nsweep: ResNet-50 MACs at {int(points):,} input sizes (lambdify + numpy): {float(seconds):.3f} s, "
          f"{int(points) / float(seconds):,.0f} points/s; whole process {sweep.seconds:.2f} s, {sweep.peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
