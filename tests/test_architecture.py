"""The package's import graph follows the layers of docs/architecture.md: no cycles between
subpackages, and no lower layer imports a higher one (every import counts, also those inside
functions). The layer order is data here; change it only together with docs/architecture.md."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cem_edu"

# lowest first; a unit may import units of its own or a lower layer only
LAYERS = [
    {"errors", "i18n", "_paths", "validation", "results"},  # results: the Result base class and json_safe
    {"stats"},  # numerical building blocks: pairwise moments, polychoric correlations
    {"instrument"},
    {"intake", "datasets"},
    {"sem"},  # the SEM engine: estimation, fit, standardised solution
    {"psychometrics", "cx", "pls"},  # analyses that may call the engine (omega's CFA, method factor, PLS vs CB-SEM)
    {"plots"},
    {"report", "notebook", "collect", "cli"},
]
LAYER_OF = {unit: i for i, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    """The top-level unit of a dotted module name inside cem_edu ('cem_edu.sem.ml' -> 'sem')."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the cem_edu modules that ``path`` imports (relative imports resolved)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("cem_edu"):
                found.add(target)
                if not node.module or node.level and target == ".".join(base):
                    found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("cem_edu"))
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        src = _unit(_module_name(path))
        for target in _imports(path):
            dst = _unit(target)
            if dst not in (src, "__init__") and src != "__init__":
                graph.setdefault(src, set()).add(dst)
    return graph


def test_every_unit_has_a_layer():
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert units <= set(LAYER_OF), f"give these a layer in tests/test_architecture.py: {sorted(units - set(LAYER_OF))}"


def test_no_lower_layer_imports_a_higher_one():
    wrong = sorted(f"{src} (layer {LAYER_OF[src]}) imports {dst} (layer {LAYER_OF[dst]})"
                   for src, dsts in _graph().items() for dst in dsts
                   if src in LAYER_OF and dst in LAYER_OF and LAYER_OF[dst] > LAYER_OF[src])
    assert not wrong, "\n".join(wrong)


def test_units_import_each_other_without_cycles():
    graph = _graph()
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle.extend(stack[stack.index(nxt):] + [node, nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, stack + [node]):
                return True
        state[node] = 2
        return False

    for node in sorted(graph):
        if state.get(node) is None and visit(node, []):
            pytest.fail("import cycle: " + " -> ".join(cycle))
