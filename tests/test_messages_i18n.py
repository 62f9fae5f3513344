"""Every error a user can cause speaks Persian and English: no English literal in a ``raise``.

The project rule "every text shown to users exists in Persian and English" for error messages:
a ``raise`` of ``CemError``/``DataError``/``ModelError``/``InstrumentError`` (or a
``warnings.warn(..., EstimationWarning)``) must take its text from the string table
(``t("key", language, field=...)``), not from a string literal or an f-string. Exceptions that signal a
programming error inside the package (``TypeError``, ``NotImplementedError``, ``AttributeError`` of a
module ``__getattr__``) may stay English and are not checked.

``TODO`` lists the modules not converted yet (skipped); the lead empties it as they are converted,
and ``test_todo_is_not_stale`` says which entries can go.
"""
from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pandas as pd
import pytest

import cem_edu as ce
from cem_edu import i18n
from cem_edu.errors import CemError, DataError, ModelError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cem_edu"

ERRORS = {"CemError", "DataError", "ModelError", "InstrumentError"}
WARNINGS = {"EstimationWarning"}

# modules still raising English literals (areas of another helper in session 3); empty it as they are fixed
TODO: set[str] = set()


def _name(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_literal_text(node) -> bool:
    """A string literal, an f-string, a concatenation starting with one, or ``"...".format(...)``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_literal_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_literal_text(node.func.value)
    return False


def offences(source: str, filename: str = "<string>") -> list[str]:
    """``line: what`` for every user-facing error or EstimationWarning whose text is a literal."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and _name(node.exc.func) in ERRORS:
            call = node.exc
            message = call.args[0] if call.args else None
            if message is not None and _is_literal_text(message):
                found.append(f"{filename}:{node.lineno}: raise {_name(call.func)}({ast.unparse(message)[:60]}…)")
        elif isinstance(node, ast.Call) and _name(node.func) == "warn" and node.args:
            category = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "category"), None)
            if _name(category) in WARNINGS and _is_literal_text(node.args[0]):
                found.append(f"{filename}:{node.lineno}: warn({ast.unparse(node.args[0])[:60]}…, "
                             f"{_name(category)})")
    return found


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path


def test_the_checker_finds_literals_and_accepts_the_string_table():
    bad = ('raise DataError("column missing")\n'
           'raise ModelError(f"no {x}")\n'
           'raise errors.CemError("a " + b)\n'
           'raise InstrumentError("{} bad".format(x))\n'
           'warnings.warn(f"slow {n}", EstimationWarning)\n'
           'warnings.warn("slow", category=EstimationWarning)\n')
    assert [line.split(":")[1] for line in offences(bad)] == ["1", "2", "3", "4", "5", "6"]
    good = ('raise DataError(t("cx.err.nps_method", method=m))\n'
            'raise DataError(out.t("report.bad_format", format=f))\n'
            'raise InstrumentError(t("instrument.err.many", n=2) + "\\n" + text)\n'
            'raise DataError(message)\n'
            'raise TypeError("internal: unknown block")\n'
            'warnings.warn(t("sem.boot.failed", n=1, R=2), EstimationWarning)\n'
            'warnings.warn("deprecated", DeprecationWarning)\n')
    assert offences(good) == []


def test_no_user_facing_error_is_an_english_literal():
    found = []
    for rel, path in _modules():
        if rel in TODO:
            continue
        found += offences(path.read_text(encoding="utf-8"), rel)
    assert not found, ("error messages must come from the string table (cem_edu.i18n.t), "
                       "in Persian and English:\n" + "\n".join(found))


def test_todo_is_not_stale():
    clean = [rel for rel, path in _modules() if rel in TODO and not offences(path.read_text(encoding="utf-8"), rel)]
    missing = sorted(TODO - {rel for rel, _ in _modules()})
    assert not clean and not missing, f"remove from TODO (converted or gone): {clean + missing}"


# -------------------------------------------------------------------------- the messages themselves, in Persian
@pytest.fixture
def persian():
    before = i18n.get_language()
    i18n.set_language("fa")
    yield
    i18n.set_language(before)


def _is_persian(text: str) -> bool:
    return sum("\u0600" <= ch <= "\u06ff" for ch in text) >= 10


def test_nps_on_a_missing_column_says_so_in_persian(persian):
    frame = pd.DataFrame({"score": [10, 9, 3]})
    with pytest.raises(DataError) as info:
        ce.nps(frame, column="NPS")
    assert _is_persian(str(info.value)) and "NPS" in str(info.value)


def test_nps_values_off_the_scale_in_persian_with_the_column_name_kept(persian):
    with pytest.raises(DataError) as info:
        ce.nps(pd.Series([10, 12, 3, 11], name="NPS2"))
    msg = str(info.value)
    assert msg.startswith("ستون 'NPS2' ۲ مقدار بیرون از مقیاس ۰ تا ۱۰ NPS")   # name Latin, count Persian
    assert "مثلاً ۱۲" in msg


def test_nps_messages_stay_english_in_english():
    assert i18n.get_language() == "en"
    with pytest.raises(DataError, match=r"^method='x' is not known; use 'wald' or 'bootstrap'$"):
        ce.nps([1, 2, 3], method="x")
    with pytest.raises(DataError, match=r"^ci=1.5 must be a confidence level between 0 and 1, e.g. 0.95$"):
        ce.nps([1, 2, 3], ci=1.5)


def test_ipma_with_an_unknown_target_in_persian(persian):
    effects = pd.DataFrame({"SAT": [0.5], "LOY": [0.0]}, index=["FUN"])  # total effects: rows cause, columns effect

    class Fit:
        def total_effects(self):
            return effects

    with pytest.raises(ModelError) as info:
        ce.ipma(Fit(), pd.DataFrame({"FUN1": [1, 2]}), target="loyalty2")
    msg = str(info.value)
    assert msg.startswith("هدف 'loyalty2' متغیری از مدل نیست؛ متغیرهای مدل:"), msg


def test_opening_a_folder_as_a_database_in_persian(persian, tmp_path):
    from cem_edu.collect.store import ResponseStore

    with pytest.raises(DataError) as info:
        ResponseStore(tmp_path)
    assert str(info.value) == f"مسیر پایگاه داده '{tmp_path}' یک پوشه است؛ نام یک فایل بدهید، مثلاً responses.sqlite"


def test_opening_a_folder_as_a_database_in_english(tmp_path):
    from cem_edu.collect.store import ResponseStore

    with pytest.raises(DataError) as info:
        ResponseStore(tmp_path)
    assert str(info.value) == f"database path '{tmp_path}' is a folder; give a file name such as responses.sqlite"


def test_the_language_argument_wins_over_the_default(tmp_path):
    from cem_edu.cx import export_action_plan

    with pytest.raises(DataError) as info:
        export_action_plan(pd.DataFrame({"priority": [1]}), tmp_path / "plan.txt", language="fa")
    assert str(info.value) == "export_action_plan: plan.txt — نام فایلی با پسوند .xlsx یا .csv بدهید"


def test_instrument_check_words_inside_a_persian_message_are_persian(persian, tmp_path):
    from cem_edu.errors import InstrumentError

    bad = tmp_path / "q.yaml"
    bad.write_text("title: {en: T, fa: ت}\nscales: {}\nitems: []\nconstructs: [{id: C, label: {en: C, fa: ج}}]\n",
                   encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        ce.load_instrument(bad)
    msg = str(info.value)
    assert "top level" not in msg and " none" not in msg and "(item '" not in msg, msg
    assert _is_persian(msg)


def test_glossary_and_clue_key_errors_follow_the_language_argument():
    from cem_edu.notebook import clue_key, glossary

    with pytest.raises(CemError, match=r"^اصطلاح‌های \['xyz'\] در واژه‌نامه نیستند"):
        glossary(["xyz"], language="fa")
    with pytest.raises(CemError, match=r"^unknown glossary term\(s\) \['xyz'\]; choose from"):
        glossary(["xyz"], language="en")
    with pytest.raises(CemError, match=r"^صحنهٔ 'moon' در کلید سرنخ‌ها نیست"):
        clue_key("moon", language="fa")


def test_a_failing_table_warning_is_not_an_english_literal_in_persian(persian):
    from cem_edu import notebook

    class Broken(pd.DataFrame):
        pass

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        original = notebook.frame_html
        try:
            notebook.frame_html = lambda frame: (_ for _ in ()).throw(RuntimeError("boom"))
            notebook._frame_printer(pd.DataFrame({"a": [1]}))
        finally:
            notebook.frame_html = original
    assert any(_is_persian(str(w.message)) and "boom" in str(w.message) for w in caught)


def test_report_option_and_panel_errors_in_the_report_language(tmp_path):
    from cem_edu.report.build import build_report
    from cem_edu.report.sections.content_validity import panel_method

    with pytest.raises(DataError, match=r"^missing='x' قاعدهٔ دادهٔ گمشده‌ای نیست"):
        build_report(pd.DataFrame({"a": [1]}), lang="fa", missing="x")
    with pytest.raises(DataError, match=r"^missing='x' is not a missing-data rule the report knows"):
        build_report(pd.DataFrame({"a": [1]}), lang="en", missing="x")
    panel = tmp_path / "panel.csv"
    pd.DataFrame({"expert": ["E1", "E2"], "EXP1": [5, 4], "EXP2": [3, 2]}).to_csv(panel, index=False)
    with pytest.raises(DataError, match=r"^برگهٔ پنل خبرگان نمرهٔ ۵ دارد"):
        panel_method(panel, "fa")
    with pytest.raises(DataError, match=r"^the panel sheet has ratings of 5"):
        panel_method(panel, "en")


def test_unknown_language_is_named_by_every_entry_point():
    """One catalogue entry serves the i18n default, the CLI parser, the report and the class server; its
    field is ``value`` (a field named ``language`` would be taken by t()'s own argument)."""
    import cem_edu as ce
    from cem_edu.cli import build_parser
    from cem_edu.i18n import set_language

    for call in (lambda: set_language("de"), lambda: build_parser("de"),
                 lambda: ce.report(ROOT / "datasets" / "cem_survey.csv", lang="de")):
        with pytest.raises(ce.CemError, match=r"^unknown language 'de'; choose one of en, fa$"):
            call()
