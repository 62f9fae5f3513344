"""Issue #22: checks on the text of every notebook (stored .ipynb, exercise set included).

* no unescaped currency dollar in Markdown: "M$" or "$5" is read as TeX by JupyterLab and by the book
  (dollarmath), which ate "0–25 M$ … above 10 M$" of notebook 01 and its bold;
* notebooks use only the public API (no ``ce._paths``, no ``res.extras["bootstrap"]``): what a
  notebook needs is added to the API (``ce.dataset_path``, ``FitResult.bootstrap_info``), and a public
  name is taken from where it is public (``ce.cvr_critical``, not ``from cem_edu.psychometrics....``).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.S)
# a $ not preceded by a backslash; the notebooks use no TeX maths, so every such $ is a currency dollar
UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
PRIVATE = [
    re.compile(r"\b(?:ce|cem_edu|cx|nb|sem|res|fit|inst)\._[a-z]\w*"),     # ce._paths, nb._x, res._header
    re.compile(r"\bfrom\s+cem_edu(?:\.\w+)*\s+import\s+[^\n]*\b_[a-z]\w*"),  # from cem_edu.x import _y
    re.compile(r"\bcem_edu(?:\.\w+)*\._[a-z]\w*"),                       # cem_edu.cx._common
    re.compile(r"\.extras\s*\["),                                        # FitResult internals
]


def _markdown(path: Path) -> list[tuple[int, str]]:
    nb = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]


def _code(path: Path) -> list[tuple[int, str]]:
    nb = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 14


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_unescaped_currency_dollar(path):
    bad = []
    for i, src in _markdown(path):
        prose = CODE_SPAN.sub("", src)
        for m in UNESCAPED_DOLLAR.finditer(prose):
            bad.append(f"cell {i}: …{prose[max(0, m.start() - 30): m.end() + 10]}…")
    assert not bad, "write 'million dollars' or \\$ (a bare $ starts TeX maths):\n" + "\n".join(bad)


def test_dollar_check_catches_the_first_edition_sentence():
    first_edition = "billed revenue (0–25 M$) … Customers above 10 M$ count as high value; `x = '$'` is code"
    assert len(UNESCAPED_DOLLAR.findall(CODE_SPAN.sub("", first_edition))) == 2
    assert not UNESCAPED_DOLLAR.findall(r"from 0 to 25 \$ million")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_use_only_the_public_api(path):
    bad = [f"cell {i}: {m.group(0)}" for i, src in _code(path) for rx in PRIVATE for m in rx.finditer(src)]
    assert not bad, "private names in a notebook; add what is missing to the public API:\n" + "\n".join(bad)


def test_private_name_check_catches_the_first_edition_lines():
    lines = ['naive = pd.read_csv(ce._paths.DATASETS_DIR / "cem_survey.csv")', 'boot = sem.extras["bootstrap"]',
             "from cem_edu.cx._common import label"]
    assert all(any(rx.search(line) for rx in PRIVATE) for line in lines)


# ``from cem_edu.a.b import x, y as z`` (also inside a Markdown code span of an exercise)
FROM_IMPORT = re.compile(r"\bfrom\s+(cem_edu(?:\.\w+)+)\s+import\s+\(?([\w\s,]+?)\)?\s*(?:$|`|#)", re.M)


def _detour_imports(source: str) -> list[str]:
    """Imports of a public name from a module inside the kit: a name of the top level (``ce.cvr_critical``,
    not ``from cem_edu.psychometrics.content_validity import cvr_critical``) or of a subpackage's
    ``__all__`` imported from one of its modules (``from cem_edu.collect import ResponseStore``, not
    ``from cem_edu.collect.store import ...``)."""
    import importlib

    import cem_edu as ce

    bad = []
    for m in FROM_IMPORT.finditer(source):
        module = m.group(1)
        names = [part.split(" as ")[0].strip() for part in m.group(2).split(",") if part.strip()]
        package = ".".join(module.split(".")[:2])
        exported = set(getattr(importlib.import_module(package), "__all__", ())) if package != module else set()
        for name in names:
            if name in ce.__all__:
                bad.append(f"{m.group(0).strip()}: use ce.{name}")
            elif name in exported:
                bad.append(f"{m.group(0).strip()}: import it from {package}")
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_take_public_names_from_the_top(path):
    bad = [f"cell {i}: {hit}" for i, src in _code(path) + _markdown(path) for hit in _detour_imports(src)]
    assert not bad, "a notebook imports a public name from inside the kit:\n" + "\n".join(bad)


def test_detour_import_check_catches_the_first_edition_lines():
    assert _detour_imports("from cem_edu.psychometrics.content_validity import cvr_critical\n") == [
        "from cem_edu.psychometrics.content_validity import cvr_critical: use ce.cvr_critical"]
    assert _detour_imports("x\nfrom cem_edu.datasets import simulate\nfrom cem_edu.intake import read_data\n") == [
        "from cem_edu.datasets import simulate: use ce.simulate", "from cem_edu.intake import read_data: use ce.read_data"]
    assert _detour_imports("from cem_edu.collect.store import ResponseStore") == [
        "from cem_edu.collect.store import ResponseStore: import it from cem_edu.collect"]
    assert _detour_imports("With `f(n)` (`from cem_edu.psychometrics.content_validity import cvr_critical`) print")
    # names that are public only where they are imported from pass
    assert not _detour_imports("from cem_edu.collect import ResponseStore\nfrom cem_edu.notebook import bilingual, say\n"
                               "from cem_edu.plots import register_fonts\nfrom cem_edu.cx import value_label  # a label")


def test_public_replacements():
    import pandas as pd

    import cem_edu as ce

    path = ce.dataset_path("cem_survey")
    assert path.name == "cem_survey.csv" and path.is_file()
    assert len(pd.read_csv(path, dtype=str)) == len(ce.load_dataset("cem_survey"))
    with pytest.raises(ce.DataError, match="did you mean 'cem_survey'"):
        ce.dataset_path("cem_survy")
    hs = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    res = ce.fit(model, hs, bootstrap=20, seed=7, progress=False)
    info = res.bootstrap_info
    assert {k: info[k] for k in ("R", "n_ok", "n_failed", "ci", "seed")} == {"R": 20, "n_ok": 20, "n_failed": 0, "ci": "percentile", "seed": 7}
    assert info["boot_ci_type"] == "perc" and info["missing"] == "listwise"  # lavaan's name of the interval
    assert res.bootstrap_result.draws.shape == (20, 21)         # 20 draws x 21 free parameters
    assert ce.fit(model, hs, progress=False).bootstrap_info is None


# Issue #22: headings bilingual, not English only.
BILINGUAL_HEADINGS = ["00", "01", "01b", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"]
PAIRED_SECTIONS = {"Exercises", "What to read next", "References"}   # each has its own Persian heading


@pytest.mark.parametrize("number", BILINGUAL_HEADINGS)
def test_headings_are_bilingual(number):
    path = next((ROOT / "notebooks").glob(f"{number}_*.md"))
    text = re.sub(r'<div dir="rtl" lang="fa">.*?</div>', "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    english_only = [h for h in re.findall(r"(?m)^#{1,3} (.+)$", text)
                    if not re.search(r"[\u0600-\u06FF]", h) and h.strip() not in PAIRED_SECTIONS]
    assert not english_only, f"{path.name}: headings without Persian: {english_only}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_sliders_are_live_in_jupyterlab_and_static_in_the_book(path):
    # a slider is dead in the static book: its cell is removed there (tag remove-cell) and a static
    # figure of the same idea precedes or follows it; quizzes/checklists are not sliders
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and re.search(r"widgets\.(FloatSlider|IntSlider|interact)", cell.source):
            assert "remove-cell" in cell.metadata.get("tags", []), f"{path.name} cell {i}: slider shown in the book"
            near = [c.source for c in nb.cells[max(0, i - 2): i + 4] if c.cell_type == "code" and c is not cell]
            assert any("plt." in src or "plots." in src for src in near), f"{path.name} cell {i}: no static figure"


def test_exercises_are_self_contained():
    # students do not have the course texts: no exercise may send them there
    for path in sorted((ROOT / "notebooks").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for phrase in ("course text", "متن درس", "متن‌های درس"):
            assert phrase not in text, f"{path.name}: cites '{phrase}'"
