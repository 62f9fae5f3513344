"""Small helpers for the curriculum notebooks: the learning path, a glossary, quizzes, checklists.

Everything here is for teaching: a table that switches language with ``ce.set_language``,
a classify-this widget with a "Check" button, an action checklist with a score.
Widgets need ``ipywidgets`` (a dependency of the kit); the scoring functions are plain
Python so exercises can be auto-checked (``score_answers``) outside Jupyter too.

    >>> from cem_edu import notebook as nb
    >>> nb.glossary()                 # DataFrame, fa/en
    >>> nb.learning_path()            # the numbered notebooks, minutes, prerequisites
    >>> nb.quiz({"The waiter smiles": "humanic"}, ["functional", "mechanic", "humanic"])

``set_language`` (exported as ``cem_edu.set_language``, the first cell of every notebook) is the
notebook-layer switch: it sets the default language (:func:`cem_edu.i18n.set_language`), registers
the Persian font for figures (:func:`cem_edu.plots._theme.register_fonts`) and, inside a Jupyter
kernel, injects the right-to-left style sheet ``RTL_CSS`` and, in Persian, an HTML formatter that
shows every DataFrame (and ``CleanData``) with Persian headings and digits, right to left
(:func:`frame_html`). Matplotlib and IPython are imported only when it is called.
"""
from __future__ import annotations

import html
import numbers
import re
import sys
from dataclasses import dataclass

import pandas as pd

from . import i18n
from .errors import CemError
from .i18n import get_language, t, to_persian_digits

__all__ = ["set_language", "RTL_CSS", "frame_html", "NOTEBOOKS", "Notebook", "learning_path", "glossary", "GLOSSARY_TERMS",
           "score_answers", "quiz", "checklist", "bilingual", "say", "label", "clue_key", "CLUE_TYPES"]

#: CSS for the bilingual notebooks in JupyterLab/Jupyter (the book ships the same rules in
#: notebooks/_ext/static/cem_book.css): Persian blocks read right to left in Vazirmatn; inline code
#: inside them is isolated left to right, so `{"mechanic": [...]}` is not reordered by the bidi
#: algorithm; ordered lists count in Persian numerals; in Persian tables (``frame_html``) numbers and
#: code keep their own left-to-right order.
RTL_CSS = """<style id="cem-edu-rtl">
.jp-RenderedMarkdown [dir=rtl], .jp-RenderedHTMLCommon [dir=rtl], .rendered_html [dir=rtl],
.jp-RenderedHTMLCommon .cem-fa {direction: rtl; text-align: right; font-family: Vazirmatn, Tahoma, sans-serif;}
[dir=rtl] code, [dir=rtl] kbd, [dir=rtl] samp {direction: ltr; unicode-bidi: isolate;}
[dir=rtl] pre {direction: ltr; text-align: left; unicode-bidi: isolate;}
[dir=rtl][lang=fa] ol, [lang=fa] [dir=rtl] ol {list-style-type: persian;}
.cem-edu-output.fa {direction: rtl; text-align: right;}
.cem-edu-output.fa table th, .cem-edu-output.fa table td {text-align: right;}
.cem-edu-output.fa .ltr {direction: ltr; unicode-bidi: isolate;}
</style>"""


def set_language(language: str) -> str:
    """Set the language of the notebook: labels, table headings, figure text ("fa" or "en").

    1. the default language of the kit (:func:`cem_edu.i18n.set_language`, which only sets that);
    2. in Persian, the bundled Vazirmatn font for figures (:func:`cem_edu.plots.register_fonts`);
    3. inside a Jupyter kernel: the style sheet :data:`RTL_CSS` (on every call, in either language:
       the notebooks are bilingual and the style lives in the output of the cell that ran this), and
       in Persian an HTML formatter for DataFrames and ``CleanData`` (:func:`frame_html`), removed
       again by ``set_language("en")``. DataFrames themselves (their column names are API) are
       never changed: only their display is.

    Returns the language set.
    """
    lang = i18n.set_language(language)
    if lang == "fa":
        from .plots._theme import register_fonts  # matplotlib only now, not at import time

        register_fonts()
    shell = _jupyter_kernel()
    if shell is not None:
        from IPython.display import HTML, display

        display(HTML(RTL_CSS))
        _table_formatters(shell, on=(lang == "fa"))
    return lang


def _jupyter_kernel():
    """The running Jupyter kernel's shell (``ZMQInteractiveShell``), else None (scripts, tests, IPython)."""
    if "IPython" not in sys.modules:
        return None
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return None
    return shell


def _frame_printer(frame):
    try:
        return frame_html(frame)
    except Exception as exc:  # a display must not end in a traceback: pandas' own table, and say why
        import warnings

        warnings.warn(t("notebook.warn.frame_html", error=repr(exc)), stacklevel=2)
        return frame._repr_html_()


def _clean_data_printer(data):
    return _clean_data_html(data)


_OURS = (_frame_printer, _clean_data_printer)
_previous: dict[type, object] = {}


def _table_formatters(shell, on: bool) -> None:
    """Install (``on``) or remove the Persian table formatters in the kernel's ``text/html`` formatter.

    A formatter someone had registered before for the same type is put back when ours are removed.
    """
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters or "text/html" not in formatters:
        return
    from .intake.clean import CleanData

    html_formatter = formatters["text/html"]
    for typ, func in ((pd.DataFrame, _frame_printer), (CleanData, _clean_data_printer)):
        current = html_formatter.pop(typ, None)
        if current is not None and current not in _OURS:
            _previous[typ] = current
        if on:
            html_formatter.for_type(typ, func)
        elif _previous.get(typ) is not None:
            html_formatter.for_type(typ, _previous.pop(typ))


_ARABIC_SCRIPT = re.compile("[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_HEADING_KEYS = ("report.col.{}", "report.measure.{}", "cx.col.{}", "notebook.col.{}")


def heading(name, language: str | None = None) -> str:
    """A column or index name in ``language``: the first of ``report.col.<name>``,
    ``report.measure.<name>``, ``cx.col.<name>``, ``notebook.col.<name>`` in the string table;
    a name none of them knows stays as it is."""
    if name is None:
        return ""
    for pattern in _HEADING_KEYS:
        key = pattern.format(name)
        text = t(key, language=language)
        if text != key:
            return text
    return str(name)


def _cell(value, language: str, decimals: int | None) -> str:
    """One table cell as HTML: numbers with Persian digits and Latin text isolated left to right."""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        if pd.isna(value):
            return ""
        if isinstance(value, numbers.Integral):
            text = str(int(value))
        else:
            text = f"{float(value):.{decimals if decimals is not None else 3}f}"
        if language == "fa":
            text = to_persian_digits(text)
        return f'<span class="ltr num" dir="ltr">{html.escape(text)}</span>'
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    text = str(value)
    if text and not _ARABIC_SCRIPT.search(text):  # code, file names, item ids: keep their own order
        return f'<span class="ltr" dir="ltr">{html.escape(text)}</span>'
    return html.escape(text)


def _values(column: pd.Series, name, language: str) -> list[str]:
    """The cells of one column; cleaning-log steps (``read``, ``flag:speeder``) are translated."""
    if name == "step":
        from .report.html import Writer  # the report's one translation of step names

        writer = Writer(language)
        column = column.map(lambda v: writer.step(v) if isinstance(v, str) else v)
    decimals = None
    if pd.api.types.is_float_dtype(column):
        finite = column.dropna()
        if len(finite) and (finite == finite.round()).all():
            decimals = 0
    return [_cell(v, language, decimals) for v in column]


def frame_html(frame: pd.DataFrame, language: str | None = None) -> str:
    """A DataFrame as an HTML table for Persian notebooks; the frame itself is not changed.

    Column, index and axis names known to the string table get their Persian heading (:func:`heading`),
    numbers get Persian digits (floats with 3 decimals, whole-number columns without), cleaning-log
    steps their Persian names; the table is wrapped in ``<div dir="rtl" class="cem-edu-output fa">``
    with every number and Latin-only text isolated left to right. In English it is pandas' own HTML.
    """
    lang = language or get_language()
    if lang != "fa":
        return frame._repr_html_()
    shown = pd.DataFrame({i: _values(frame.iloc[:, i], name, lang) for i, name in enumerate(frame.columns)},
                         index=frame.index)

    def name_html(name) -> str:
        text = heading(name, lang)
        return text if _ARABIC_SCRIPT.search(text) else _cell(text, lang, None)

    def label(value) -> str:
        if isinstance(value, tuple):
            return " / ".join(_cell(v, lang, None) for v in value)
        return name_html(value)

    shown.columns = pd.Index([label(c) for c in frame.columns], name=None if frame.columns.name is None
                             else heading(frame.columns.name, lang))
    names = [n for n in frame.index.names if n is not None]
    shown.index = pd.Index([label(v) if isinstance(v, (str, tuple)) else _cell(v, lang, None) for v in frame.index],
                           name=" / ".join(name_html(n) for n in names) if names else None)
    table = shown.to_html(escape=False, border=0,
                          max_rows=pd.get_option("display.max_rows"), max_cols=pd.get_option("display.max_columns"))
    return f'<div dir="rtl" lang="fa" class="cem-edu-output fa">{table}</div>'


def _clean_data_html(data) -> str:
    """``CleanData``'s own HTML with its log table drawn by :func:`frame_html`."""
    own = data._repr_html_()
    if get_language() != "fa":
        return own
    plain = data.log.to_html(index=False, border=0)
    persian = frame_html(data.log.set_axis(pd.RangeIndex(1, len(data.log) + 1)), "fa")
    return own.replace(plain, persian) if plain in own else own + persian


#: The three clue types of Berry, Carbone & Haeckel (2002), in teaching order.
CLUE_TYPES = ("functional", "mechanic", "humanic")


def clue_key(scene: str | None = None, language: str | None = None) -> pd.DataFrame:
    """The one answer key for classifying experience clues (``cem_edu/clue_key.yaml``).

    Shared by notebook 01, notebook 09 and the auto-graded exercises, so the three never disagree.
    Columns: ``scene``, ``type`` (functional / mechanic / humanic), ``clue`` and ``why`` in the
    language asked for (or the current one), ``item`` (the questionnaire item, when the statement
    is one), ``en`` and ``fa``. ``scene`` filters the rows ("shoe store", "restaurant", ...).
    Reference: Berry, L. L., Carbone, L. P., & Haeckel, S. H. (2002). Managing the total customer
    experience. MIT Sloan Management Review, 43(3), 85–89.
    """
    from importlib import resources

    import yaml

    raw = yaml.safe_load(resources.files("cem_edu").joinpath("clue_key.yaml").read_text(encoding="utf-8"))
    lang = language or get_language()
    rows = [{"id": k, "scene": v["scene"], "type": v["type"], "clue": v[lang], "why": v[f"why_{lang}"],
             "item": v.get("item"), "en": v["en"], "fa": v["fa"]} for k, v in raw.items()]
    bad = [r["id"] for r in rows if r["type"] not in CLUE_TYPES]
    if bad:
        raise CemError(t("notebook.err.clue_types", lang, entries=str(bad), types=str(CLUE_TYPES)))
    df = pd.DataFrame(rows).set_index("id")
    if scene is not None:
        if scene not in set(df["scene"]):
            raise CemError(t("notebook.err.no_scene", lang, scene=scene, scenes=str(sorted(set(df['scene'])))))
        df = df[df["scene"] == scene]
    return df


@dataclass(frozen=True)
class Notebook:
    """One notebook of the curriculum: ``number`` is two digits, with a letter for a companion notebook
    ("01b" follows "01"); the file is ``<number>_<slug>.ipynb``."""

    number: str
    slug: str
    title_en: str
    title_fa: str
    minutes: int
    needs: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.number}_{self.slug}.ipynb"

    def title(self, language: str | None = None) -> str:
        return self.title_fa if (language or get_language()) == "fa" else self.title_en


#: The learning path. notebooks/README.md and tests/test_curriculum.py follow this list.
NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook("00", "start_here", "Start here", "از اینجا شروع کنید", 15),
    Notebook("01", "cem_theory", "CEM theory", "نظریه مدیریت تجربه مشتری", 35, ("00",)),
    Notebook("01b", "cem_in_the_data", "CEM in the data", "مدیریت تجربهٔ مشتری در داده", 25, ("01",)),
    Notebook("02", "questionnaire", "The questionnaire", "پرسشنامه", 40, ("01",)),
    Notebook("03", "data_cleaning", "Data cleaning", "پاک‌سازی داده", 40, ("02",)),
    Notebook("04", "descriptives", "Descriptive statistics", "آمار توصیفی", 30, ("03",)),
    Notebook("05", "reliability_validity", "Reliability and validity", "پایایی و روایی", 50, ("04",)),
    Notebook("06", "factor_analysis", "Factor analysis", "تحلیل عاملی", 60, ("05",)),
    Notebook("07", "structural_model", "The structural model", "مدل ساختاری", 60, ("06",)),
    Notebook("07b", "pls_sem", "PLS-SEM", "PLS-SEM", 45, ("07",)),
    Notebook("08", "groups_invariance", "Groups and invariance", "گروه‌ها و هم‌ارزی اندازه‌گیری", 45, ("07",)),
    Notebook("09", "journey_map", "The customer journey map", "نقشهٔ سفر مشتری", 40, ("01b", "04")),
    Notebook("10", "rating_matrix_ipma", "Rating matrix and IPMA", "ماتریس رتبه‌بندی مشتریان و IPMA", 45, ("07",)),
    Notebook("11", "study_design_power", "Study design and power", "طراحی مطالعه و توان آماری", 40, ("07",)),
    Notebook("12", "case_study_ecsi", "Case study: ECSI mobile phones", "مطالعه موردی: ECSI تلفن همراه", 60,
             ("05", "07", "10")),
    Notebook("13", "thesis_workflow", "A questionnaire thesis end to end, report in Word",
             "پایان‌نامهٔ پرسش‌نامه‌ای از آغاز تا پایان، گزارش در ورد", 60, ("05", "07")),
)


def learning_path(language: str | None = None) -> pd.DataFrame:
    """The numbered notebooks as a table: number, topic, minutes, prerequisites (current language)."""
    lang = language or get_language()
    rows = [{t("curriculum.path.notebook", lang): nb.number,
             t("curriculum.path.topic", lang): nb.title(lang),
             t("curriculum.path.minutes", lang): nb.minutes,
             t("curriculum.path.needs", lang): ", ".join(nb.needs) or "—"} for nb in NOTEBOOKS]
    return pd.DataFrame(rows).set_index(t("curriculum.path.notebook", lang))


#: glossary keys in curriculum.yaml: curriculum.term.<key> and curriculum.term.<key>.def
GLOSSARY_TERMS = ("cx", "cem", "crm", "touchpoint", "journey", "corridor", "clue", "gap",
                  "journey_map", "rating_matrix")


def glossary(terms=None, language: str | None = None) -> pd.DataFrame:
    """A glossary of CEM terms: the term in English and Persian and its meaning in the current language.

    Parameters
    ----------
    terms : iterable of str, optional
        Keys from ``GLOSSARY_TERMS`` (default: all).
    language : "en" | "fa", optional
        Language of the "meaning" column (default: the current language).
    """
    lang = language or get_language()
    keys = GLOSSARY_TERMS if terms is None else tuple(terms)
    unknown = [k for k in keys if k not in GLOSSARY_TERMS]
    if unknown:
        raise CemError(t("notebook.err.unknown_terms", lang, terms=str(unknown), choices=", ".join(GLOSSARY_TERMS)))
    rows = [{t("curriculum.glossary.english", lang): t(f"curriculum.term.{k}", "en"),
             t("curriculum.glossary.persian", lang): t(f"curriculum.term.{k}", "fa"),
             t("curriculum.glossary.meaning", lang): t(f"curriculum.term.{k}.def", lang)} for k in keys]
    return pd.DataFrame(rows)


def bilingual(en: str, fa: str, language: str | None = None) -> str:
    """Pick the English or Persian version of a short notebook-only text (current language)."""
    return fa if (language or get_language()) == "fa" else en


def say(en: str, fa: str, language: str | None = None) -> None:
    """Print a sentence whose numbers come from the outputs, in the current language.

    The notebooks quote results ("Δχ²(9) = 51.0") in a printed sentence built from the result objects
    instead of typing them into the prose, so the text never drifts from the code (the role of
    MyST-NB's ``glue``). The Persian sentence gets Persian digits and the decimal separator «٫»,
    the Persian percent sign after a number («۱۲٫۵٪» for ``12.5%``) and powers of ten for numbers in
    e-notation (``1.6e-04`` -> «۱٫۶ × ۱۰⁻⁴», see :func:`_persian_power_of_ten`); digits inside Latin
    names (item ``MEC2``, variable ``x1``) stay as they are.
    """
    lang = language or get_language()
    if lang != "fa":
        print(en)
        return
    out, last = [], 0
    for m in _LATIN_NAME_OR_E_NUMBER.finditer(fa):
        name = m.group("name")
        out += [_persian_text(fa[last:m.start()]), name if name else _persian_power_of_ten(m)]
        last = m.end()
    print("".join(out) + _persian_text(fa[last:]))


# a number in e-notation (1.6e-04, 2E5) or an identifier (its digits are part of the name: MEC2, x1);
# the number is tried first, so the "e" of 1.6e-04 is not read as a name
_LATIN_NAME_OR_E_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<mantissa>\d+(?:\.\d+)?)[eE](?P<exponent>[-+−]?\d+)(?![A-Za-z0-9_])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
_PERCENT_AFTER_NUMBER = re.compile(r"(?<=[0-9۰-۹])\s?%")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_LRI, _PDI, _LRM = "\u2066", "\u2069", "\u200e"


def _persian_text(text: str) -> str:
    """Persian digits, and «٪» for a percent sign written after a number (``12.5 %`` -> «۱۲٫۵٪»)."""
    return to_persian_digits(_PERCENT_AFTER_NUMBER.sub("٪", text))


def _persian_power_of_ten(match: re.Match) -> str:
    """``1.6e-04`` as «۱٫۶ × ۱۰⁻⁴» (superscript exponent), kept in reading order in Persian text.

    Persian digits are "Arabic numbers" to the Unicode bidirectional algorithm, so the "×" and the
    superscript minus between two of them would be drawn in reverse («۴⁻۱۰ × ۱٫۶»); the expression is
    isolated left to right (LRI … PDI) with a left-to-right mark around the operators, which keeps it in
    order in right-to-left and left-to-right lines alike (checked in Chromium).
    """
    exponent = int(match.group("exponent").replace("\u2212", "-"))
    power = "۱۰" + _LRM + str(exponent).translate(_SUPERSCRIPT)
    return _LRI + to_persian_digits(match.group("mantissa")) + _LRM + " × " + _LRM + power + _PDI


def label(text, language: str | None = None):
    """Translate a short English data label of a notebook (a touchpoint, a segment, a table heading).

    Looks ``curriculum.label.<text>`` up in the string catalogue; text without an entry is returned
    unchanged, so ``df.rename(index=label)`` or ``df.map(label)`` are safe on any table.
    Non-strings (numbers) pass through.
    """
    if not isinstance(text, str):
        return text
    key = f"curriculum.label.{text}"
    out = t(key, language)
    return text if out == key else out


def score_answers(answers: dict, key: dict) -> tuple[int, dict]:
    """Compare answers with an answer key.

    Returns ``(n_correct, {question: True/False})``; unanswered questions count as wrong.
    Answers are compared case-insensitively after stripping spaces.
    """
    marks = {}
    for question, right in key.items():
        given = answers.get(question)
        marks[question] = given is not None and str(given).strip().lower() == str(right).strip().lower()
    return sum(marks.values()), marks


def quiz(key: dict, choices, labels: dict | None = None):
    """A classify-each-statement widget: one dropdown per statement and a "Check" button.

    Parameters
    ----------
    key : dict
        statement -> the right choice.
    choices : sequence of str
        The options (their codes, e.g. "functional").
    labels : dict, optional
        code -> label to show (e.g. translated with ``ce.t``); default: the codes.

    Returns the ipywidgets box; ``box.answers()`` gives the current answers and
    ``box.score()`` the result of :func:`score_answers`.
    """
    import ipywidgets as widgets

    labels = labels or {c: c for c in choices}
    options = [(t("curriculum.quiz.choose"), None)] + [(labels.get(c, c), c) for c in choices]
    rows, dropdowns = [], {}
    for statement in key:
        dd = widgets.Dropdown(options=options, value=None, layout=widgets.Layout(width="220px"))
        mark = widgets.HTML("")
        dropdowns[statement] = (dd, mark)
        rows.append(widgets.HBox([dd, mark, widgets.HTML(f"<span>{statement}</span>")]))
    button = widgets.Button(description=t("curriculum.quiz.check"))
    result = widgets.HTML("")

    def answers():
        return {s: dd.value for s, (dd, _) in dropdowns.items()}

    def on_click(_):
        n, marks = score_answers(answers(), key)
        for s, ok in marks.items():
            dropdowns[s][1].value = "✅" if ok else "❌"
        result.value = f"<b>{t('curriculum.quiz.correct', n=n, total=len(key))}</b>"

    button.on_click(on_click)
    box = widgets.VBox(rows + [widgets.HBox([button, result])])
    box.answers = answers
    box.score = lambda: score_answers(answers(), key)
    return box


def checklist(items, done=()):
    """An action checklist: one checkbox per item and a live "n of N in place" line.

    ``done`` lists the items ticked at the start. Returns the ipywidgets box; ``box.ticked()``
    gives the ticked items.
    """
    import ipywidgets as widgets

    items = list(items)
    boxes = [widgets.Checkbox(value=item in done, description=item, indent=False,
                              layout=widgets.Layout(width="100%")) for item in items]
    summary = widgets.HTML("")

    def update(_=None):
        n = sum(b.value for b in boxes)
        summary.value = f"<b>{t('curriculum.checklist.score', n=n, total=len(items))}</b>"

    for b in boxes:
        b.observe(update, names="value")
    update()
    box = widgets.VBox(boxes + [summary])
    box.ticked = lambda: [b.description for b in boxes if b.value]
    return box
