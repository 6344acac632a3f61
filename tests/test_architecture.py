"""The house rules: imports point one way, each layer kind is complete in one place, generated docs are current."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from symcnn import reference
from symcnn.layers import REGISTRY, Layer, kinds
from symcnn.layers.base import Slot

PACKAGE = Path(__file__).resolve().parent.parent / "symcnn"

# Lowest first: a module may import only from its own layer or lower ones, never from a higher one.
LAYERS = [
    ["errors", "limits", "constants", "resources"],
    ["values", "numbers"],
    ["arith", "symbolic"],
    ["layers"],
    ["network"],
    ["syntax"],
    ["tree", "expansion", "walk", "analysis"],
    ["memory", "scaling", "growth", "requirements", "constraints", "solve", "grid_eval", "sweep", "catalog", "zoo", "loading",
     "torch_export", "reference", "importers", "conventions"],
    ["formats"],
    ["api"],
    ["cli", "web", ""],
]


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Every import of every module, wherever it is written: at the top, inside a function, under TYPE_CHECKING."""
    mods = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                subs = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in mods]
                targets = subs + ([module] if len(subs) < len(node.names) else [])
            else:
                continue
            graph[name] |= {target for target in targets if target in mods and target != name}
    return graph


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    return next(i for i, names in enumerate(LAYERS) if top in names)


def test_every_module_is_in_a_layer() -> None:
    for module in modules():
        layer(module)


def test_imports_point_one_way() -> None:
    upward = [(a, b) for a, targets in import_graph().items() for b in targets if layer(b) > layer(a)]
    assert upward == []


def test_there_is_no_import_cycle() -> None:
    graph = import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target] if target in path else [node, target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = 2

    for node in sorted(modules()):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize("path", sorted(modules().values()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_about_400_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 420


# Each kind complete in its one file.
@pytest.mark.parametrize("kind", kinds(), ids=lambda kind: kind.__name__)
def test_every_layer_kind_has_every_part(kind: type[Layer]) -> None:
    assert kind.words and all(word == word.lower() for word in kind.words)
    assert kind.doc and kind.hint and kind.syntax  # type: ignore[attr-defined]
    assert kind.saves_doc and kind.torch_node, "its memory rule, as the README tables it"
    assert kind.torch is not Layer.torch, "its torch module"
    for slot in (kind.head, kind.dash, kind.slash):
        assert slot is None or isinstance(slot, Slot)
    fields = {f for f in kind.__dataclass_fields__}
    assert {option.field for option in kind.options} <= fields
    assert all(set(fixed) <= fields for fixed in kind.words.values())
    # A cost of its own, or the shape-preserving default; a derivation of its own where it has parameters.
    if kind.parametric:
        assert kind.cost is not Layer.cost and kind.derive is not Layer.derive
    with_saves = [part for part in ("input", "output", "indices", "mask")]
    assert kind.saved is not Layer.saved or all(part in with_saves for part in _saves(kind))


def _saves(kind: type[Layer]) -> tuple[str, ...]:
    saves = kind.__dict__.get("saves", ())
    return saves if isinstance(saves, tuple) else ()


def test_no_other_module_lists_layer_words() -> None:
    """Words of layer kinds appear as string literals only in their kind's module (and the docs generator)."""
    words = set(REGISTRY) - {"id"}  # "id" is also a plain English word in messages
    found = []
    for name, path in modules().items():
        # The importers read PyTorch's own names (torch.flatten, F.softmax), some of which are words too;
        # the other tools' conventions are tables keyed by kind (each kind is checked against the real tools:
        # tests/test_conventions.py, test_every_kind_is_checked_against_the_other_tools).
        if name.startswith(("symcnn.layers", "symcnn.importers", "symcnn.conventions")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words:
                found.append((name, node.value, node.lineno))
    assert found == []


def test_the_readme_tables_are_generated_from_the_registry() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    assert reference.updated(readme) == readme, "run: python -m symcnn.reference README.md"


def test_numeric_outputs_do_not_import_sympy() -> None:
    for args in (["vgg16", "--at", "224x224x3"], ["resnet50", "--at", "224x224x3", "--json"],
                 ["vgg16", "--at", "224x224x3", "--markdown"], ["vgg16", "--at", "224x224x3", "--csv"],
                 ["vgg16", "--at", "224x224x3", "--latex"], ["vgg16", "--at", "224x224x3", "--memory"]):
        probe = ("import sys; from symcnn.cli import run; run(%r); print('sympy' in sys.modules, 'numpy' in sys.modules)"
                 % (args,))
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        assert done.stdout == "False False\n", (args, done.stdout, done.stderr)


def test_numbers_at_concrete_sizes_are_python_ints() -> None:
    import json

    import symcnn

    n = symcnn.load("resnet50").analyze().at("224x224x3")
    assert f"{n.totals['params']:,}" == "25,557,032"
    assert json.loads(json.dumps(n.totals))["macs"] == 4_089_184_256
    assert all(type(value) is int for row in n.rows for value in (*row.output, row.weights, row.macs))


def test_mish_is_one_row_of_the_activation_table() -> None:
    """The demonstration kind: its word, rule, torch module and doc all come from its one line."""
    from symcnn.layers.activations import ACTIVATIONS

    assert ACTIVATIONS["mish"][:3] == ("input", "Mish", "MishBackward0")
    assert REGISTRY["mish"] is REGISTRY["relu"]
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    assert "`mish`" in readme and "MishBackward0" in readme
