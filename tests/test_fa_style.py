"""Issue #22: one Persian voice. Every Persian string of the notebooks, the locale files and the
templates follows docs/fa_glossary.yaml (one term per concept, one ezafe style, one spelling per
author, no English left in Persian prose); docs/fa_style.md documents every rule of the glossary."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
import fa_style  # tests/fa_style.py: the glossary lint (python tests/fa_style.py --fix rewrites)


def test_every_persian_string_follows_the_glossary():
    files = fa_style.files()
    names = {p.name for p in files}
    # the lint covers the notebooks, the exercise set, every locale file and the templates
    assert {"01_cem_theory.md", "09_journey_map.md", "cem_exercises.md", "cx.yaml", "report.yaml",
            "report.html.j2", "form.html"} <= names
    problems = fa_style.lint()
    assert problems == [], "\n".join(problems[:40]) + "\n(run python tests/fa_style.py --fix, then jupytext --sync)"


@pytest.mark.parametrize("bad,good", [
    ("سه نوع نشانه‌های انسانی", "سرنخ"),
    ("یک پرسشنامه", "پرسش‌نامه"),
    ("فاصله اطمینان ۹۵٪", "بازهٔ اطمینان"),
    ("در مرحله‌ی خرید مجدد", "خرید دوباره"),
    ("درصد مروجان", "ترویج‌کنندگان"),
    ("رایشهلد (۲۰۰۳)", "رایکهلد"),
    ("مقایسه‌ی گروه‌ها", "ـهٔ"),
    ("خطای معیار منفجر می‌شود", "بسیار بزرگ"),
    ("پیشین بی‌اطلاع", "ناآگاهی‌بخش"),
    ("درست‌نمایی بیشینه‌ی با اطلاعات کامل", "با اطلاعات کامل"),
])
def test_the_lint_catches_each_known_mistake(tmp_path, bad, good):
    p = tmp_path / "x.yaml"
    p.write_text(f'k: {{en: "x", fa: "{bad}"}}\n', encoding="utf-8")
    problems = fa_style.lint([p])
    assert problems and any(good in msg for msg in problems), problems


def test_english_in_persian_prose_but_not_in_code(tmp_path):
    nb = tmp_path / "nb.md"
    nb.write_text('<div dir="rtl" lang="fa">\n\nسازه: humanic و seed را گزارش کنید؛ `seed=1` و `"humanic"` مجازند.\n\n</div>\n',
                  encoding="utf-8")
    found = fa_style.lint([nb])
    assert len(found) == 2 and {"«humanic»", "«seed»"} == {m.split(": ")[1].split(" ")[0] for m in found}


def test_fix_rewrites_mechanical_variants():
    rules = fa_style.load_rules()
    assert fa_style.fix_text("پرسشنامه‌ی تجربه مشتری و فاصله اطمینان", rules) == "پرسش‌نامهٔ تجربهٔ مشتری و بازهٔ اطمینان"


def test_style_doc_lists_every_glossary_entry():
    doc = (ROOT / "docs" / "fa_style.md").read_text(encoding="utf-8")
    g = yaml.safe_load((ROOT / "docs" / "fa_glossary.yaml").read_text(encoding="utf-8"))
    for rule in g["rules"]:
        assert rule["fa"] in doc and rule["concept"] in doc, rule["concept"]
    for author in g["authors"]:
        assert author["fa"] in doc and author["en"] in doc, author["en"]
    assert "ـهٔ" in doc and "fa_glossary.yaml" in doc
    assert doc == fa_style.render_doc(), "run python tools/fa_style.py --doc"


def test_persian_lists_are_markdown_lists(tmp_path):
    nb = tmp_path / "nb.md"
    nb.write_text('<div dir="rtl" lang="fa">\n\n## تمرین‌ها\n\n۱. نخست\n۲. دوم\n\n</div>\n', encoding="utf-8")
    found = fa_style.lint([nb])
    assert len(found) == 2 and "-> 1." in found[0]
    assert "\n1. نخست\n2. دوم\n" in fa_style.fix_text(nb.read_text(encoding="utf-8"), fa_style.load_rules())
