"""Distinct random networks in the notation, for the in-process benchmark (seeded: the same on every run).

``small``: the distribution of the property tests (``tests/test_properties.py``): one to six
layers and a head, K = 1000 classes. ``large``: two to eight blocks (residual, concat,
squeeze-and-excitation, repeats) and a classifier. Both fit a 224x224x3 input and are
written in notation v1, so that an earlier symcnn can be timed on the same networks.
"""

from __future__ import annotations

import random
from collections.abc import Callable

SMALL = [
    lambda r: f"conv{r.choice([1, 3, 5])}-{r.randint(1, 8)}/{r.randint(1, 2)}",
    lambda r: f"conv{r.choice([1, 3])}-{r.randint(1, 8)}[p={r.randint(0, 2)}]",
    lambda r: f"conv{r.choice([1, 3])}x{r.choice([1, 3])}-4[d={r.randint(1, 2)}]",
    lambda r: f"dwconv{r.choice([3, 5])}/{r.randint(1, 2)}",
    lambda r: f"pool{r.randint(2, 3)}/{r.randint(1, 2)}[ceil={r.choice(['true', 'false'])}]",
    lambda r: f"avgpool{r.randint(2, 4)}/{r.randint(1, 3)}[p={r.randint(0, 1)}]",
    lambda r: f"deconv{r.randint(1, 4)}-{r.randint(1, 6)}/{r.randint(1, 3)}",
    lambda r: r.choice(["bn", "relu", "lrn", "upsample2", "id", "res(conv3-4, relu)"]),
    lambda r: f"conv1-{r.randint(1, 6)}, bn, relu",
]
SMALL_HEADS = ["", "gap, fc-K", "fc-K", "gmp", "flatten, fc-3"]

CHANGING = ["conv{k}-{c}", "conv{k}-{c}/2", "conv{k}-{c}[bias=false], bn, relu",
            "res(conv3-{c}, bn, relu, conv3-{c}, bn | conv1-{c}, bn), relu", "(conv1-{c}, relu) x2"]
KEEPING = ["dwconv3, bn, relu6", "pool2", "pool3/2[p=1]", "avgpool2", "bn, lrelu", "mul(gap, fc-{q}, relu, fc-{i}, sigmoid)"]
LARGE_HEADS = ["gap, fc-{n}", "gap, dropout, fc-{n}", "apool2, fc-{n}", "conv1-{n}, gap"]


def _small(rng: random.Random) -> str:
    layers = [rng.choice(SMALL)(rng) for _ in range(rng.randint(1, 6))]
    return ", ".join(layers + [rng.choice(SMALL_HEADS)]).strip(", ")


def _large(rng: random.Random) -> str:
    items, halvings, channels = [], 0, 3
    for _ in range(rng.randint(2, 8)):
        block = rng.choice(CHANGING + KEEPING)
        halving = "/2" in block or ("pool" in block and "apool" not in block)
        if halving and halvings >= 5:
            continue
        halvings += halving
        c = rng.choice([8, 16, 24, 32, 48, 64, 96, 128])
        items.append(block.format(k=rng.choice([1, 3, 5, 7]), c=c, q=max(1, channels // 4), i=channels))
        channels = c if block in CHANGING else channels
    items.append(rng.choice(LARGE_HEADS).format(n=rng.choice([10, 100, 1000])))
    return "input HxWx3\n" + ", ".join(items)


KINDS: dict[str, Callable[[random.Random], str]] = {"small": _small, "large": _large}


def networks(count: int, kind: str = "small", seed: int = 0) -> list[str]:
    """``count`` distinct networks of the ``kind`` above."""
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        found[KINDS[kind](rng)] = None
    return list(found)
