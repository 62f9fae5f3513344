"""The auto-checked exercise set (notebooks/exercises, otter-grader).

* The master notebook is stored clean and in the Otter Assign format: seven questions, each with
  public (format) checks and hidden checks that import ``answer_key`` -- the expected answers are
  computed by the kit at grading time, never typed in.
* ``otter assign`` builds a student version with no solution code, no hidden check and no answer
  key in it; the key ships only in the autograder zip.
* Grading locally (``grade_all.py`` -> ``otter.api.grade_submission``, no Docker, no network):
  the solution version earns full marks (10/10) and the untouched student version 0.
* The checks themselves accept right answers and reject near misses (unit tests of answer_key).

The three otter tests are marked ``slow`` (``make test`` runs them; ``make test-fast`` does not).
"""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "notebooks" / "exercises"
MASTER = EXERCISES / "cem_exercises.ipynb"
QUESTIONS = ["q1_nps", "q2_clues", "q3_alpha", "q4_ave", "q5_fit", "q6_gap", "q7_quadrant"]
TOTAL_POINTS = 10
ANSWER_VARIABLES = ["nps_value", "clue_answers", "alpha_humanic", "lowest_ave_construct", "cfi", "rmsea",
                    "good_fit", "gap_mechanic", "mechanic_shortfall", "quadrants"]


@pytest.fixture(scope="module")
def key():
    sys.path.insert(0, str(EXERCISES))
    try:
        import answer_key
    finally:
        sys.path.remove(str(EXERCISES))
    return answer_key


def _master():
    return nbformat.read(MASTER, as_version=4)


def _blocks(nb):
    """(question name, [(block kind, cell)]) for each question of the master notebook."""
    out, name, kind = [], None, None
    for cell in nb.cells:
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        if cell.cell_type == "raw":
            if first == "# BEGIN QUESTION":
                name = re.search(r"^name:\s*(\S+)", cell.source, re.M).group(1)
                out.append((name, []))
            elif first in ("# BEGIN SOLUTION", "# BEGIN TESTS"):
                kind = first.split()[-1].lower()
            elif first in ("# END SOLUTION", "# END TESTS"):
                kind = None
            elif first == "# END QUESTION":
                name = None
            continue
        if name is not None and kind is not None:
            out[-1][1].append((kind, cell))
    return out


def _solution_fragments(nb) -> list[str]:
    """The solution code of the master that students must not see.

    Lines inside ``# BEGIN SOLUTION`` blocks and right-hand sides of ``# SOLUTION`` lines, except
    those the prompts show anyway (e.g. the ``ce.fit(...)`` call quoted in question 5) and bare
    brackets.
    """
    solution_cells = [c for _, cells in _blocks(nb) for kind, c in cells if kind == "solution"]
    public = "\n".join(c.source for c in nb.cells if c not in solution_cells)
    prompts = re.findall(r"# BEGIN PROMPT\n(.*?)\n.*?# END PROMPT", "\n".join(c.source for c in solution_cells), re.S)
    public += "\n".join(prompts)   # the students' template inside a solution cell
    frags = []
    for cell in solution_cells:
        inside = False
        for line in cell.source.splitlines():
            s = line.strip()
            if s.startswith("# BEGIN SOLUTION"):
                inside = True
            elif s.startswith("# END SOLUTION"):
                inside = False
            elif inside and s:
                frags.append(s)
            elif s.endswith("# SOLUTION"):
                frags.append(s.split("=", 1)[1].rsplit("#", 1)[0].strip())
    return [f for f in frags if len(f) > 3 and f not in public]


# ---- the master notebook ------------------------------------------------------------------------

def test_master_is_stored_clean_and_paired():
    nb = _master()
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"cells {dirty} of {MASTER.name} have outputs; clear them before committing"
    jupytext = pytest.importorskip("jupytext")
    twin = jupytext.read(MASTER.with_suffix(".md"))
    assert [(c.cell_type, c.source.strip()) for c in nb.cells] == \
        [(c.cell_type, c.source.strip()) for c in twin.cells], "run jupytext --sync on the master notebook"


def test_master_has_seven_questions_with_public_and_hidden_checks():
    blocks = _blocks(_master())
    assert [name for name, _ in blocks] == QUESTIONS
    for name, cells in blocks:
        solutions = [c for k, c in cells if k == "solution"]
        tests = [c.source for k, c in cells if k == "tests"]
        hidden = [s for s in tests if s.lstrip().startswith("# HIDDEN")]
        public = [s for s in tests if s not in hidden]
        assert solutions and public and hidden, f"{name}: needs a solution, public checks and hidden checks"
        # hidden checks compare with the kit's own numbers (answer_key), never with typed-in values
        for source in hidden:
            assert "import answer_key as key" in source and "key." in source.split("\n", 2)[-1], (name, source)
            body = source.split("\n", 2)[-1]
            literals = [float(x) for x in re.findall(r"(?<![\w.])\d+\.\d+", body)]
            assert all(x <= 0.05 for x in literals), f"{name}: hidden check has a typed-in number {literals}"


def test_master_prompts_are_bilingual_and_match_the_key(key):
    nb = _master()
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    prompts = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("### Question")]
    assert len(prompts) == len(QUESTIONS)
    assert all('<div dir="rtl" lang="fa">' in p and "پرسش" in p for p in prompts)
    # q2 shows the questionnaire's own wording of the items the key classifies, in both languages
    inst, _ = key.survey()
    for letter, item_id in key.CLUE_ITEMS.items():
        for lang in ("en", "fa"):
            assert f"**{letter}.** {inst.item(item_id).text[lang]}" in markdown, (letter, item_id, lang)
    # the given tables are the key's tables (the grader uses its own copy)
    assert f"pd.Series({key.NPS_SCORES}, name=\"NPS\")" in code
    for column, values in key.CUSTOMERS.items():
        assert f'"{column}": {values!r}'.replace("'", '"') in code, column


# ---- the answer key's checks --------------------------------------------------------------------

def test_key_values_come_from_the_kit(key):
    import cem_edu as ce

    assert key.nps() == pytest.approx(100 * (8 - 3) / 15)              # 8 promoters, 3 detractors of 15
    assert key.clues() == {"a": "mechanic", "b": "humanic", "c": "functional",
                           "d": "mechanic", "e": "humanic", "f": "functional"}
    # the shared clue key agrees with the questionnaire's constructs, and its statements are the items'
    from cem_edu import notebook as cnb
    for row in cnb.clue_key("questionnaire").itertuples():
        item = ce.load_instrument().item(row.item)
        assert row.type == item.construct and row.en == item.text["en"] and row.fa == item.text["fa"], row.item
    inst, data = key.survey()
    assert key.alpha() == pytest.approx(ce.alpha(data, inst.items_by_construct()["humanic"]).alpha, abs=1e-12)
    assert key.lowest_ave() == "expectation"
    fit = key.fit()
    assert fit["good_fit"] is (fit["cfi"] >= 0.95 and fit["rmsea"] <= 0.06)
    g = key.gap()
    assert g["gap"] < 0 and g["shortfall"] is True
    assert key.quadrants() == {"Aria": "At risk", "Baran": "Growth", "Cyrus": "Model", "Dena": "Model",
                               "Elham": "Dangling", "Farid": "At risk"}   # Farid: 10.0 = threshold -> high


def test_key_checks_accept_right_and_reject_near_misses(key):
    a = key.alpha()
    assert key.rounded_to_2(round(a, 2), a)
    assert not key.rounded_to_2(round(a, 4), a)          # not reported to 2 decimals
    assert not key.rounded_to_2(round(a, 2) + 0.01, a)
    assert not key.rounded_to_2(..., a) and not key.rounded_to_2("0.83", a) and not key.rounded_to_2(True, a)
    assert key.close(33.3, key.nps(), 0.05) and not key.close(33, key.nps(), 0.05)
    assert key.clue_matches(" Mechanic", "mechanic") and key.clue_matches("مکانیکی", "mechanic")
    assert not key.clue_matches("functional", "mechanic") and not key.clue_matches(..., "mechanic")
    assert key.quadrant_matches("at risk", "At risk") and key.quadrant_matches("در معرض خطر", "At risk")
    assert not key.quadrant_matches("Dangling", "At risk")
    assert key.same_word("Expectation ", "expectation") and not key.same_word("loyalty", "expectation")


# ---- otter assign and grading -------------------------------------------------------------------

def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    return env


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    pytest.importorskip("otter", reason="otter-grader is in the [dev] extra")
    out = tmp_path_factory.mktemp("exercises") / "dist"
    proc = subprocess.run([sys.executable, "-m", "otter", "assign", str(MASTER), str(out)],
                          capture_output=True, text=True, env=_env(), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    zips = sorted((out / "autograder").glob("*.zip"))
    assert len(zips) == 1
    return out, zips[0]


@pytest.fixture(scope="module")
def grades(assigned, tmp_path_factory):
    """Grade the solution and the blank student version (two processes in parallel) -> {file: row}."""
    out, zip_path = assigned
    base = tmp_path_factory.mktemp("submissions")
    jobs = []
    for label, source in (("solution", out / "autograder" / "cem_exercises.ipynb"),
                          ("blank", out / "student" / "cem_exercises.ipynb")):
        folder = base / label
        folder.mkdir()
        (folder / f"{label}.ipynb").write_bytes(source.read_bytes())
        csv_path = base / f"{label}.csv"
        proc = subprocess.Popen([sys.executable, str(EXERCISES / "grade_all.py"), str(zip_path), str(folder),
                                 "--out", str(csv_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=_env(), cwd=base)
        jobs.append((proc, csv_path))
    rows = {}
    for proc, csv_path in jobs:
        log, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, log
        with csv_path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows[row["file"]] = row
    return rows


@pytest.mark.slow   # otter assign + two graded notebook runs: ~25 s together
def test_student_version_has_no_solutions_or_hidden_checks(assigned):
    out, zip_path = assigned
    student_dir = out / "student"
    assert sorted(p.name for p in student_dir.rglob("*") if p.is_file()) == ["cem_exercises.ipynb"], \
        "only the notebook goes to students (no answer_key.py, no hidden test files)"
    text = (student_dir / "cem_exercises.ipynb").read_text(encoding="utf-8")
    fragments = _solution_fragments(_master())
    assert len(fragments) >= 15, fragments   # the check has teeth
    leaks = [f for f in fragments if f in text]
    assert not leaks, f"solution code leaked into the student notebook: {leaks}"
    assert "answer_key" not in text and "# HIDDEN" not in text
    nb = nbformat.reads(text, as_version=4)
    tests = nb.metadata["otter"]["tests"]
    assert sorted(tests) == QUESTIONS
    cases = [case for t in tests.values() for suite in t["suites"] for case in suite["cases"]]
    assert cases and not any(case["hidden"] for case in cases)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for var in ANSWER_VARIABLES:
        if var != "clue_answers":
            assert re.search(rf"^{var} = \.\.\.$", code, re.M), f"student version lacks the blank `{var} = ...`"
    assert re.search(r'^    "a": \.\.\.,$', code, re.M)
    assert sum(f'grader.check("{q}")' in code for q in QUESTIONS) == len(QUESTIONS)
    # the autograder has the key and every question's hidden checks
    import zipfile

    names = zipfile.ZipFile(zip_path).namelist()
    assert "files/answer_key.py" in names
    assert sorted(n for n in names if n.startswith("tests/")) == sorted(f"tests/{q}.py" for q in QUESTIONS)


@pytest.mark.slow   # otter assign + two graded notebook runs: ~25 s together
def test_solution_version_earns_full_marks(grades):
    row = grades["solution.ipynb"]
    assert not row["error"], row["error"]
    assert float(row["possible"]) == TOTAL_POINTS
    assert {q: float(row[q]) for q in QUESTIONS} == {"q1_nps": 1, "q2_clues": 2, "q3_alpha": 1, "q4_ave": 1,
                                                       "q5_fit": 2, "q6_gap": 1, "q7_quadrant": 2}
    assert float(row["total"]) == TOTAL_POINTS


@pytest.mark.slow   # otter assign + two graded notebook runs: ~25 s together
def test_blank_student_version_earns_nothing(grades):
    row = grades["blank.ipynb"]
    assert float(row["possible"]) == TOTAL_POINTS
    assert float(row["total"]) == 0, {q: row[q] for q in QUESTIONS}
