"""The curriculum covers the CEM theory and every notebook has the agreed frame.

* Each idea of the theory source map (THEORY.md, one row per idea; its "idea" column is kept
  here as a stable key list) is taught in a section -- a markdown heading -- of a notebook,
  and that section meets the data: it has at least one code cell.
* Every notebook in notebooks/ has the audience / what you will learn / time header (English and
  Persian), a language-switch cell, exercises with hidden solutions and "what to read next".
* notebooks/README.md, _toc.yml and cem_edu.notebook.NOTEBOOKS agree on the learning path.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
THEORY_MD = ROOT.parent / "shared" / "THEORY.md"     # the design source; not shipped with the repo

# key -> (start of the row's "idea" text in THEORY.md, [(notebook, phrase in a heading), ...])
THEORY_ROWS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "definition": ("CEM definition", [("01_cem_theory", "what customer experience is"),
                                      ("01_cem_theory", "customer service and brand experience")]),
    "history": ("History", [("01_cem_theory", "short history")]),
    "eras": ("Eras", [("01_cem_theory", "loyalty programmes → CRM → CEM")]),
    "clues": ("Three clue types", [("01_cem_theory", "functional, mechanic, humanic")]),
    "dimensions_triangle": ("Social, physical and emotional", [("01_cem_theory", "experience triangle")]),
    "channels": ("Channels", [("01b_cem_in_the_data", "channels")]),
    "modern_marketing_why": ("Modern marketing", [("01_cem_theory", "modern marketing"),
                                                  ("01_cem_theory", "why CEM matters")]),
    "four_steps_bank": ("Four implementation steps", [("01b_cem_in_the_data", "four implementation steps")]),
    "journey_stages_funnel": ("Journey stages", [("01b_cem_in_the_data", "funnel")]),
    "twelve_techniques": ("12 techniques", [("01b_cem_in_the_data", "twelve techniques")]),
    "meyer_schwager": ("Meyer & Schwager", [("01_cem_theory", "customer corridor"),
                                            ("01_cem_theory", "expectation–experience gap"),
                                            ("01_cem_theory", "past, present and potential patterns"),
                                            ("01_cem_theory", "80 % / 8 %")]),
    "rating_matrix": ("Customer rating matrix", [("01_cem_theory", "customer rating matrix")]),
    "scenarios": ("Restaurant / supermarket / shoe-store", [("01_cem_theory", "restaurant, the supermarket")]),
    "journey_map": ("Customer journey map", [("01b_cem_in_the_data", "customer journey map")]),
    "questionnaire": ('"Measure it with a CEM questionnaire"', [("01b_cem_in_the_data", "questionnaire")]),
}


def _notebooks() -> list[Path]:
    """The numbered notebooks of the learning path: NN_slug.ipynb and companions NNb_slug.ipynb (01b)."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb") if p.stem.split("_")[0] in _PATH_NUMBERS)


def _number(path: Path) -> str:
    return path.stem.split("_")[0]


def _path_numbers() -> set[str]:
    from cem_edu.notebook import NOTEBOOKS as PATH

    return {nb.number for nb in PATH}


_PATH_NUMBERS = _path_numbers()


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _sections(nb) -> list[tuple[str, list]]:
    """(heading text, its cell and the cells under it up to the next heading of the same or higher level)."""
    out = []
    heading_re = re.compile(r"^(#{1,3})\s+(.+)$", re.M)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for m in heading_re.finditer(cell.source):
            level = len(m.group(1))
            body = [cell]
            for later in nb.cells[i + 1:]:
                if later.cell_type == "markdown":
                    hs = heading_re.findall(later.source)
                    if any(len(h[0]) <= level for h in hs):
                        break
                body.append(later)
            out.append((m.group(2).strip(), body))
    return out


def test_theory_map_has_every_row_once():
    assert len(THEORY_ROWS) == 15
    prefixes = [p for p, _ in THEORY_ROWS.values()]
    assert len(set(prefixes)) == len(prefixes)


@pytest.mark.skipif(not THEORY_MD.is_file(), reason="THEORY.md (design source) is not next to the repository")
def test_theory_map_matches_theory_md():
    rows = [line.split("|")[1].strip() for line in THEORY_MD.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and not line.startswith("| idea")]
    assert len(rows) == len(THEORY_ROWS), "THEORY.md gained or lost a row: update THEORY_ROWS"
    for row in rows:
        assert any(row.startswith(prefix) for prefix, _ in THEORY_ROWS.values()), f"row not mapped: {row[:60]}"


@pytest.mark.parametrize("key", sorted(THEORY_ROWS))
def test_theory_row_is_taught_and_meets_data(key):
    _, places = THEORY_ROWS[key]
    for notebook, phrase in places:
        path = NOTEBOOKS / f"{notebook}.ipynb"
        assert path.is_file(), f"{path.name} is missing"
        sections = _sections(_read(path))
        hits = [(h, body) for h, body in sections if phrase.lower() in h.lower()]
        assert hits, f"{notebook}: no heading containing {phrase!r} (theory row {key!r})"
        heading, body = hits[0]
        code = [c for c in body if c.cell_type == "code" and c.source.strip()]
        assert code, f"{notebook}: section {heading!r} has no code cell -- each idea must meet the data"
        fa = [c for c in body if c.cell_type == "markdown" and 'dir="rtl"' in c.source]
        assert fa, f"{notebook}: section {heading!r} has no Persian prose"


def test_every_theory_heading_is_bilingual_prose_plus_code():
    """In notebooks 01 (the ideas) and 01b (the ideas in the bundled survey) every numbered section has
    English prose, Persian prose and code; the two together keep the first edition's 20 sections."""
    numbered = []
    for name in ("01_cem_theory", "01b_cem_in_the_data"):
        numbered += [(h, body) for h, body in _sections(_read(NOTEBOOKS / f"{name}.ipynb")) if re.match(r"\d+\.", h)]
    assert len(numbered) >= 20
    for heading, body in numbered:
        assert any(c.cell_type == "code" for c in body), heading
        assert any(c.cell_type == "markdown" and 'dir="rtl"' in c.source for c in body), heading


def test_01_is_split_in_two_half_hour_notebooks():
    """Issue #22: the 20-section reading became 01 (the concepts, on small made-up examples) and 01b (the
    bundled survey's segment, channel and stage); each is about half an hour and the second follows the first."""
    from cem_edu.notebook import NOTEBOOKS as PATH

    by_number = {nb.number: nb for nb in PATH}
    assert by_number["01b"].filename == "01b_cem_in_the_data.ipynb" and by_number["01b"].needs == ("01",)
    assert 20 <= by_number["01"].minutes <= 40 and 20 <= by_number["01b"].minutes <= 40
    assert [nb.number for nb in PATH].index("01b") == [nb.number for nb in PATH].index("01") + 1
    nb01 = (NOTEBOOKS / "01_cem_theory.md").read_text(encoding="utf-8")
    assert "cem_survey" not in nb01.split("## Exercises")[0].split("```{code-cell}", 1)[1]   # 01: no survey data


# ---- the frame of every notebook --------------------------------------------------------------

NOTEBOOK_IDS = [p.stem for p in _notebooks()]


@pytest.mark.parametrize("name", NOTEBOOK_IDS)
def test_notebook_header(name):
    nb = _read(NOTEBOOKS / f"{name}.ipynb")
    first = next(c for c in nb.cells if c.cell_type == "markdown").source
    assert first.lstrip().startswith("# "), f"{name}: the first cell must start with the title"
    for pattern in (r"audience", r"what you.{0,3}(will|'ll)? ?learn", r"time( needed)?"):
        assert re.search(pattern, first, re.I), f"{name}: the first cell lacks {pattern!r}"
    assert 'dir="rtl"' in first, f"{name}: the header needs its Persian version in <div dir=\"rtl\" lang=\"fa\">"
    for word in ("مخاطب", "زمان"):
        assert word in first, f"{name}: the Persian header lacks {word!r}"


@pytest.mark.parametrize("name", NOTEBOOK_IDS)
def test_notebook_language_switch(name):
    nb = _read(NOTEBOOKS / f"{name}.ipynb")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    switch = [i for i, src in enumerate(code) if re.search(r"ce\.set_language\(\s*[\"']en[\"']\s*\)", src)]
    assert switch, f"{name}: no language switch cell `ce.set_language(\"en\")  # or \"fa\"`"
    assert switch[0] <= 1, f"{name}: the language switch must be one of the first two code cells"


@pytest.mark.parametrize("name", NOTEBOOK_IDS)
def test_notebook_ends_with_exercises_and_read_next(name):
    nb = _read(NOTEBOOKS / f"{name}.ipynb")
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    exercises = re.search(r"^#{2,3}\s+.*exercise", md, re.I | re.M)
    read_next = re.search(r"^#{2,3}\s+.*read next", md, re.I | re.M)
    assert exercises, f"{name}: no '## Exercises' heading"
    assert read_next, f"{name}: no '## What to read next' heading"
    assert exercises.start() < read_next.start(), f"{name}: exercises come before 'what to read next'"
    assert re.search(r"<details>.*?<summary>.*?</summary>.*?</details>", md[exercises.start():], re.S), \
        f"{name}: exercise solutions must be hidden in a <details><summary>…</summary>…</details> block"


@pytest.mark.parametrize("name", NOTEBOOK_IDS)
def test_prose_cells_are_bilingual(name):
    """Cells with English prose carry a Persian version (in the same cell), except pure code/quote cells."""
    nb = _read(NOTEBOOKS / f"{name}.ipynb")
    prose = [c.source for c in nb.cells if c.cell_type == "markdown" and len(re.sub(r"`[^`]*`", "", c.source)) > 200]
    assert prose
    bilingual = [s for s in prose if 'dir="rtl"' in s]
    assert len(bilingual) / len(prose) >= 0.8, f"{name}: only {len(bilingual)} of {len(prose)} prose cells have Persian"


# ---- the learning path ------------------------------------------------------------------------

def test_learning_path_in_readme_and_helper():
    from cem_edu.notebook import NOTEBOOKS as PATH, learning_path

    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    numbers = [nb.number for nb in PATH]
    assert numbers == ["00", "01", "01b"] + [f"{i:02d}" for i in range(2, 8)] + ["07b"] + [f"{i:02d}" for i in range(8, 14)]
    for nb in PATH:
        row = re.search(rf"^\| {nb.number} \|.*\| (\d+) min \|", readme, re.M)
        assert row, f"README lacks the row of notebook {nb.number}"
        assert int(row.group(1)) == nb.minutes, f"README and NOTEBOOKS disagree on the time of {nb.number}"
    table = learning_path("en")
    assert list(table.index) == numbers and table["Minutes"].sum() == sum(nb.minutes for nb in PATH)
    assert learning_path("fa").columns[0] == "موضوع"


def test_each_notebook_number_is_used_once_and_listed():
    from cem_edu.notebook import NOTEBOOKS as PATH

    numbers = [_number(p) for p in _notebooks()]
    assert len(numbers) == len(set(numbers)), f"two notebooks share a number: {numbers}"
    assert set(numbers) == {nb.number for nb in PATH}, "a notebook of the learning path has no file"
    for nb in PATH:
        assert (NOTEBOOKS / nb.filename).is_file(), nb.filename


def test_book_config_and_toc():
    import fnmatch

    config = yaml.safe_load((NOTEBOOKS / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((NOTEBOOKS / "_toc.yml").read_text(encoding="utf-8"))
    assert toc["format"] == "jb-book" and (NOTEBOOKS / f"{toc['root']}.md").is_file()
    globs = [entry["glob"] for part in toc["parts"] for entry in part["chapters"]]
    for nb in [f"{n:02d}_x" for n in range(14)] + ["01b_x"]:   # every number 00..13 (and 01b) has a place
        assert sum(fnmatch.fnmatch(nb, g) for g in globs) == 1, nb
    # the MyST twins are excluded so each notebook is built once
    assert any(fnmatch.fnmatch("01_cem_theory.md", p) for p in config["exclude_patterns"])
    assert config["execute"]["execute_notebooks"] == "force"


# ---- helpers used in the notebooks ------------------------------------------------------------

def test_glossary_switches_language():
    from cem_edu.notebook import GLOSSARY_TERMS, glossary

    en, fa = glossary(language="en"), glossary(language="fa")
    assert len(en) == len(GLOSSARY_TERMS) == len(fa)
    assert en.columns.tolist() == ["English", "Persian", "Meaning"]
    assert fa.columns.tolist() == ["انگلیسی", "فارسی", "معنا"]
    assert en.iloc[0, 1] == fa.iloc[0, 1] == "تجربهٔ مشتری"
    assert "behavioural, emotional, cognitive and sensory" in en.iloc[0, 2]


def test_glossary_rejects_unknown_terms():
    from cem_edu.errors import CemError
    from cem_edu.notebook import glossary

    with pytest.raises(CemError, match="unknown glossary term.*'nps'.*choose from cx"):
        glossary(["cx", "nps"])


def test_score_answers():
    from cem_edu.notebook import score_answers

    key = {"robots serve food": "mechanic", "cashier's gift": "humanic", "hot dish": "functional"}
    n, marks = score_answers({"robots serve food": "Mechanic ", "cashier's gift": "functional"}, key)
    assert n == 1
    assert marks == {"robots serve food": True, "cashier's gift": False, "hot dish": False}


def test_quiz_and_checklist_widgets():
    from cem_edu.notebook import checklist, quiz

    box = quiz({"a": "x", "b": "y"}, ["x", "y"])
    dropdowns = [row.children[0] for row in box.children[:2]]
    dropdowns[0].value, dropdowns[1].value = "x", "x"
    assert box.score() == (1, {"a": True, "b": False})
    box.children[-1].children[0].click()
    assert "1 of 2" in box.children[-1].children[1].value
    assert box.children[0].children[1].value == "✅" and box.children[1].children[1].value == "❌"

    ticks = checklist(["p", "q", "r"], done=["q"])
    assert ticks.ticked() == ["q"] and "1 of 3" in ticks.children[-1].value
    ticks.children[0].value = True
    assert ticks.ticked() == ["p", "q"] and "2 of 3" in ticks.children[-1].value


def test_curriculum_strings_have_both_languages():
    data = yaml.safe_load((ROOT / "cem_edu" / "locales" / "curriculum.yaml").read_text(encoding="utf-8"))
    assert all(k.startswith("curriculum.") for k in data)
    missing = [k for k, v in data.items() if not (v.get("en") and v.get("fa"))]
    assert not missing, missing


# ---- the case study's numbers (notebook 12) against lavaan ------------------------------------

def test_case_study_ecsi_cbsem_matches_lavaan():
    """The ECSI model of notebook 12 fitted by ce.fit agrees with lavaan 0.6-14
    (tests/reference/case_study_ecsi.R): fit measures to 1e-3, each path to 1e-3 of its SE
    (the model is nearly unidentified empirically, so the paths are flat in the likelihood)."""
    import pandas as pd

    import cem_edu as ce

    ref = REFERENCE_ECSI
    mobi = ce.load_dataset("mobi")
    blocks = {"Image": "IMAG", "Expectation": "CUEX", "Quality": "PERQ", "Value": "PERV",
              "Satisfaction": "CUSA", "Complaints": "CUSCO", "Loyalty": "CUSL"}
    items = {c: [col for col in mobi.columns if col.startswith(p)] for c, p in blocks.items()}
    model = "\n".join(f"{c} =~ " + " + ".join(v) for c, v in items.items()) + "\nCUSCO ~~ 0*CUSCO\n" + """
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints ~ Satisfaction
Loyalty ~ Image + Satisfaction + Complaints
"""
    res = ce.fit(model, mobi, progress=False)
    fit_ref = pd.read_csv(ref / "lavaan_fit.csv").set_index("measure")["value"]
    for m in ("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr"):
        assert res.fit[m] == pytest.approx(fit_ref[m], abs=1e-3), m
    lav = pd.read_csv(ref / "lavaan_estimates.csv").query("op == '~'")
    ours = res.estimates.query("op == '~'").merge(lav, on=["lhs", "op", "rhs"], suffixes=("", "_lav"))
    assert len(ours) == 12
    assert ((ours["est"] - ours["est_lav"]).abs() <= 1e-3 * ours["se_lav"] + 1e-4).all()
    assert (ours["se"] / ours["se_lav"]).between(0.99, 1.01).all()
    # the teaching point of the notebook: standardised paths beyond ±1 with huge standard errors
    assert (ours["std_all"].abs() > 1).sum() == 6
    assert ours.set_index(["lhs", "rhs"]).loc[("Value", "Expectation"), "se"] > 20


REFERENCE_ECSI = ROOT / "tests" / "reference" / "case_study_ecsi"


# ---- the instructor guide ---------------------------------------------------------------------

def test_instructor_guide_is_bilingual_and_complete():
    text = (ROOT / "docs" / "instructor_guide.md").read_text(encoding="utf-8")
    en, _, fa = text.partition("## راهنمای مدرس (فارسی)")
    assert fa, "the Persian half of the guide is missing"
    for heading in ("one-day workshop", "three-day workshop", "Live collection", "Discussion questions",
                    "Common student mistakes"):
        assert re.search(rf"^##+ .*{heading}", en, re.I | re.M), heading
    for heading in ("کارگاه یک‌روزه", "کارگاه سه‌روزه", "گردآوری زنده", "پرسش‌های بحث", "اشتباهات رایج"):
        assert re.search(rf"^##+ .*{heading}", fa, re.M), heading
    # the two halves cover the same number of discussion questions and mistakes
    def bullets(section_re, part):
        block = re.search(r"^##+ [^\n]*" + section_re + r"[^\n]*\n(.*?)(?=\n##)", part, re.S | re.M).group(1)
        return len(re.findall(r"^- ", block, re.M))
    assert bullets("Discussion questions", en) == bullets("پرسش‌های بحث", fa) >= 8
    assert bullets("Common student mistakes", en) == bullets("اشتباهات رایج", fa) >= 10


def test_instructor_guide_commands_exist():
    """Every `cem-edu collect` option the guide uses is an option of the real command."""
    from cem_edu.cli import build_parser

    text = (ROOT / "docs" / "instructor_guide.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    collect_opts = {o for a in sub.choices["collect"]._actions for o in a.option_strings}
    export_opts = {o for a in sub.choices["export-form"]._actions for o in a.option_strings}
    for line in re.findall(r"cem-edu collect[^`\n]*", text):
        for opt in re.findall(r"--[a-z-]+", line):
            assert opt in collect_opts, f"guide uses `cem-edu collect {opt}`, which does not exist"
    for line in re.findall(r"cem-edu export-form[^`\n]*", text):
        for opt in re.findall(r"--[a-z-]+", line):
            assert opt in export_opts, opt
    assert "ce.load_responses(" in text and "ce.clean(" in text


@pytest.mark.parametrize("name", NOTEBOOK_IDS)
def test_time_in_header_matches_learning_path(name):
    from cem_edu.notebook import NOTEBOOKS as PATH

    nb = _read(NOTEBOOKS / f"{name}.ipynb")
    first = next(c for c in nb.cells if c.cell_type == "markdown").source
    m = re.search(r"time needed:?\**:?\s*(?:about\s*)?(\d+)\s*min", first, re.I)
    assert m, f"{name}: header has no 'Time needed: about N minutes'"
    expected = {nb_.number: nb_.minutes for nb_ in PATH}[name.split("_")[0]]
    assert int(m.group(1)) == expected, f"{name}: header says {m.group(1)} min, the learning path {expected} min"


def test_label_translates_known_data_labels_only():
    import pandas as pd

    from cem_edu.notebook import label

    assert label("call centre", "fa") == "مرکز تماس" and label("call centre", "en") == "call centre"
    assert label("not in the catalogue", "fa") == "not in the catalogue"
    assert label(3.5, "fa") == 3.5
    table = pd.DataFrame({"owner": ["account teams", "?"]}, index=["branch", "x"])
    fa = table.map(lambda v: label(v, "fa")).rename(index=lambda v: label(v, "fa"))
    assert fa.loc["شعبه", "owner"] == "تیم‌های حساب" and fa.loc["x", "owner"] == "?"


def test_case_study_cfa_with_single_item_factor_matches_lavaan():
    """Regression: start values once made Sigma singular for a single-indicator factor (CUSCO ~~ 0*CUSCO)."""
    import pandas as pd

    import cem_edu as ce

    mobi = ce.load_dataset("mobi")
    blocks = {"Image": "IMAG", "Expectation": "CUEX", "Quality": "PERQ", "Value": "PERV",
              "Satisfaction": "CUSA", "Complaints": "CUSCO", "Loyalty": "CUSL"}
    items = {c: [col for col in mobi.columns if col.startswith(p)] for c, p in blocks.items()}
    model = "\n".join(f"{c} =~ " + " + ".join(v) for c, v in items.items()) + "\nCUSCO ~~ 0*CUSCO\n"
    res = ce.fit(model, mobi, progress=False)
    ref = pd.read_csv(REFERENCE_ECSI / "lavaan_cfa_fit.csv").set_index("measure")["value"]
    for m in ("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr"):
        assert res.fit[m] == pytest.approx(ref[m], abs=1e-3), m


# ---- issue #22: one clue key for 01, 09 and the exercise set ----------------------------------------

def test_one_clue_key_shared_by_01_09_and_the_exercises():
    from cem_edu import notebook as nb

    key = nb.clue_key()
    assert set(key["type"]) == set(nb.CLUE_TYPES)
    # the two clues the first edition coded both ways (01: mechanic; 09: functional/humanic)
    assert key.loc["shoe_card", "type"] == "functional" and key.loc["shoe_email", "type"] == "mechanic"
    assert all(key["why"].str.len() > 0) and all(key["fa"].str.len() > 0)
    nb01 = (NOTEBOOKS / "01_cem_theory.md").read_text(encoding="utf-8")
    nb09 = (NOTEBOOKS / "09_journey_map.md").read_text(encoding="utf-8")
    answer_key = (NOTEBOOKS / "exercises" / "answer_key.py").read_text(encoding="utf-8")
    assert 'nb.clue_key("shoe store")' in nb01 and "nb.clue_key()" in nb01
    assert 'nb.clue_key("shoe store")' in nb09 and 'clue_key("questionnaire")' in answer_key
    # no clue -> type table typed into a notebook: ("some clue", "mechanic") pairs are read from the key
    for text in (nb01, nb09):
        assert not re.search(r'\("[^"]+", "(functional|mechanic|humanic)"\)', text)
    assert "member card and email kept" not in nb01
    assert "(functional/humanic)" not in nb09 and "(کارکردی/انسانی)" not in nb09


def test_clue_key_in_persian():
    from cem_edu import notebook as nb

    fa = nb.clue_key("shoe store", language="fa")
    assert fa.loc["shoe_email", "clue"] == "پیشنهاد فصلی با ایمیل"
    with pytest.raises(Exception, match="no scene 'cinema'"):
        nb.clue_key("cinema")


def test_servqual_and_paraphrases_corrected():
    nb01 = (NOTEBOOKS / "01_cem_theory.md").read_text(encoding="utf-8")
    nb09 = (NOTEBOOKS / "09_journey_map.md").read_text(encoding="utf-8")
    # SERVQUAL's P - E measures perceived service quality, and difference scores have known problems
    assert "the same logic underlies SERVQUAL" not in nb01 and "منطق SERVQUAL هم همین است" not in nb01
    for text in (nb01, nb09):
        assert "perceived service quality" in text and "کیفیت ادراک‌شدهٔ خدمت" in text
        assert "Cronin & Taylor, 1992" in text and "Peter, Churchill & Brown, 1993" in text
        assert "کرونین و تیلور، ۱۹۹۲" in text and "پیتر، چرچیل و براون، ۱۹۹۳" in text
    # 01 §7: the two sentences that sat too close to the course texts are rewritten
    assert "Researchers describe the total experience" not in nb01
    assert "پژوهشگران تجربه" not in nb01 and "smoky lift" not in nb01 and "بوی سیگار" not in nb01


def test_01b_draws_channels_segments_funnel_and_map_from_the_survey():
    nb01 = (NOTEBOOKS / "01b_cem_in_the_data.md").read_text(encoding="utf-8")
    assert 'ce.load_dataset("cem_survey")' in nb01
    for use in ('survey.groupby("channel")', 'pd.crosstab(survey["segment"], survey["channel"]',
                'cx.funnel_table(survey)', "ce.journey_map(survey, inst)"):
        assert use in nb01, use
    # the invented channel means, funnel counts and journey-map gaps of the first edition are gone
    for invented in ("true_means", "people = pd.Series([10000", "rng.gamma(2.0, 0.45"):
        assert invented not in nb01, invented


def test_say_prints_computed_sentences_with_persian_digits(capsys):
    from cem_edu import notebook as nb

    nb.say("Δχ²(9) = 51.0", "Δχ²(9) = 51.0", language="fa")
    nb.say("Δχ²(9) = 51.0", "Δχ²(9) = 51.0", language="en")
    assert capsys.readouterr().out.splitlines() == ["Δχ²(۹) = ۵۱٫۰", "Δχ²(9) = 51.0"]
    nb08 = (NOTEBOOKS / "08_groups_invariance.md").read_text(encoding="utf-8")
    assert "nb.say(" in nb08 and "about 51 for 9 df" not in nb08


def test_say_keeps_the_digits_of_item_and_variable_names(capsys):
    # notebook 08 printed «MEC۲» and notebook 06 «x۱»: a name is not a number
    from cem_edu import notebook as nb

    nb.say("", "واریانس x1: -0.70؛ MEC2 در گروه 2، Δχ²(9) = 51.0، CFI = 0.991", language="fa")
    assert capsys.readouterr().out.strip() == "واریانس x1: -۰٫۷۰؛ MEC2 در گروه ۲، Δχ²(۹) = ۵۱٫۰، CFI = ۰٫۹۹۱"


def test_say_writes_the_persian_percent_sign_after_a_number(capsys):
    # «۱۲٫۵%» and «۳ %» were printed with the Latin sign; a "%" not after a number stays
    from cem_edu import notebook as nb

    nb.say("", "۱۲.5% از پاسخ‌ها، 3 % از گروه 2، ۴۰ % از کل، نماد % در متن", language="fa")
    assert capsys.readouterr().out.strip() == "۱۲٫۵٪ از پاسخ‌ها، ۳٪ از گروه ۲، ۴۰٪ از کل، نماد % در متن"


def test_say_writes_e_notation_as_a_power_of_ten_in_reading_order(capsys):
    # "1.6e-04" was printed «۱٫۶e-۰۴»: Persian digits around a Latin "e"
    from cem_edu import notebook as nb

    nb.say("p = 1.6e-04", "p = 1.6e-04، n = 2E+03، x1e5 و MEC2", language="fa")
    out = capsys.readouterr().out.strip()
    lri, pdi, lrm = "\u2066", "\u2069", "\u200e"
    assert out == (f"p = {lri}۱٫۶{lrm} × {lrm}۱۰{lrm}⁻⁴{pdi}، n = {lri}۲{lrm} × {lrm}۱۰{lrm}³{pdi}، "
                   "x1e5 و MEC2")
    # what a reader sees, without the invisible direction marks
    assert "".join(c for c in out if c not in (lri, pdi, lrm)) == "p = ۱٫۶ × ۱۰⁻⁴، n = ۲ × ۱۰³، x1e5 و MEC2"
    nb.say("p = 1.6e-04", "", language="en")
    assert capsys.readouterr().out.strip() == "p = 1.6e-04"
