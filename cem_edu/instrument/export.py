"""Exports of an :class:`~cem_edu.instrument.Instrument`: XLSForm, printable HTML, codebook, JSON.

* ``xlsform``  — an .xlsx with the ``survey``, ``choices`` and ``settings`` sheets of the
  XLSForm standard (https://xlsform.org), labels in ``label::Persian (fa)`` and
  ``label::English (en)``; loads in ODK Collect / KoboToolbox (tested with pyxform).
* ``html``     — a self-contained printable form; the Persian part is right-to-left
  (``dir="rtl" lang="fa"``) with the bundled Vazirmatn font embedded as a data URI.
* ``codebook`` — one row per data column (CSV, or Markdown when the path ends in ``.md``).
* ``json``     — the instrument in the schema's shape plus a render-ready ``form`` (pages of
  questions with their options) for the live web form; ``load_instrument`` reads it back.
* ``panel``    — the expert-panel sheet for content validity (``ce.cvr`` / ``ce.cvi``): one row per
  expert, one column per item (CSV); as .xlsx a second sheet lists each item's wording and the codes.
"""
from __future__ import annotations

import base64
import functools
import json
from importlib import resources
from pathlib import Path

from ..errors import InstrumentError
from ..i18n import numerals, t

__all__ = ["export", "codebook_frame", "form_definition", "panel_frame", "FORMATS", "XLSFORM_LANGUAGES"]

FORMATS = ("xlsform", "html", "codebook", "json", "panel")
XLSFORM_LANGUAGES = {"fa": "Persian (fa)", "en": "English (en)"}
_EXT = {"xlsform": ".xlsx", "html": ".html", "codebook": ".csv", "json": ".json", "panel": ".csv"}
_DIR = {"fa": "rtl", "en": "ltr"}
#: survey columns beyond the XLSForm standard that carry what ``load_instrument`` reads back (ODK and
#: KoboToolbox ignore unknown columns); min/max/system describe a recorded (``calculate``) field
ITEM_COLUMNS = ("construct", "kind", "reverse", "touchpoint", "stage", "pairs_with", "expected", "position",
                "system", "min", "max")
#: seconds between the form's ``start`` and ``end`` metadata (XPath: days since the epoch × 86 400)
DURATION_CALCULATION = "round((decimal-date-time(${end}) - decimal-date-time(${start})) * 86400)"


def _plain_number(x) -> str:
    """A bound as written by a person and read by XPath 1.0 (no exponent): 1000000, 0.5, not 1e+06."""
    x = float(x)
    return str(int(x)) if x.is_integer() else format(x, "f").rstrip("0")


def _default_name(inst, fmt: str) -> str:
    if fmt in ("codebook", "panel"):
        return f"{inst.name}_{fmt}.csv"
    return f"{inst.name}{_EXT[fmt]}"


def export(inst, path=None, format: str = "xlsform", language: str | None = None) -> Path:
    """Write ``inst`` in ``format`` to ``path`` and return the path written.

    ``path=None`` writes ``<name>.xlsx`` / ``<name>.html`` / ``<name>_codebook.csv`` /
    ``<name>.json`` in the current directory; an existing directory gets that file name inside.
    """
    fmt = str(format).lower().strip()
    if fmt not in FORMATS:
        raise InstrumentError(t("instrument.err.export_format", format=format, choices=", ".join(FORMATS)))
    if language is not None and language not in ("fa", "en"):
        raise InstrumentError(t("instrument.err.export_language", language=language))
    if path is None:
        out = Path.cwd() / _default_name(inst, fmt)
    else:
        out = Path(path)
        if out.is_dir():
            out = out / _default_name(inst, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsform":
        _write_xlsform(inst, out)
    elif fmt == "html":
        out.write_text(render_html(inst, language), encoding="utf-8")
    elif fmt == "codebook":
        frame = codebook_frame(inst)
        if out.suffix.lower() in (".md", ".markdown"):
            out.write_text(_markdown_table(frame, title=f"{inst.title['en']} — codebook"), encoding="utf-8")
        else:
            frame.to_csv(out, index=False, encoding="utf-8-sig")
    elif fmt == "panel":
        _write_panel(inst, out)
    else:
        data = inst.to_dict()
        data["form"] = form_definition(inst)
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


# --------------------------------------------------------------------------- sections
def sections(inst) -> list[dict]:
    """The form's pages in order: start fields, one section per run of items, end fields.

    A section is ``{"id", "construct", "title": {fa,en}, "instruction": {fa,en} | None,
    "items": [Item, ...]}``. Titles are neutral ("Part 2"), never construct names: naming the
    construct to respondents cues their answers. NPS and attention items stay in the section
    they appear in, so the attention check is not visibly set apart.
    """
    out: list[dict] = []
    current = None
    for item in inst.items:
        cid = item.construct if item.construct is not None else (current["construct"] if current else None)
        if current is None or cid != current["construct"]:
            c = inst.construct(cid) if cid is not None else None
            n = len(out) + 1
            current = {"id": f"section_{cid or n}", "construct": cid,
                       "title": {lg: t("instrument.form.part", language=lg, n=n) for lg in ("fa", "en")},
                       "instruction": dict(c.instruction) if c and c.instruction else None, "items": []}
            out.append(current)
        current["items"].append(item)
    return out


def _field_options(f) -> list[dict]:
    return [{"value": code, "label": dict(lab)} for code, lab in (f.choices or {}).items()]


def _scale_options(scale) -> list[dict]:
    return [{"value": v, "label": {lang: scale.labels[lang][k] for lang in ("fa", "en")}}
            for k, v in enumerate(scale.values)]


def form_definition(inst) -> dict:
    """A render-ready form: pages of questions, each with type, fa/en label and options.

    Question types: "choice" (respondent field), "number" (numeric field), "scale" (a Likert,
    NPS or attention item; ``options`` in code order). System fields (``duration_sec``) are not
    questions; the form records them (``system_fields``).
    """
    def field_q(f):
        q = {"id": f.id, "type": "number" if f.numeric else "choice", "label": dict(f.label),
             "required": f.required}
        if f.numeric:
            q.update({k: getattr(f, k) for k in ("min", "max") if getattr(f, k) is not None})
        else:
            q["options"] = _field_options(f)
        return q

    pages = []
    start = [f for f in inst.respondent_fields if not f.system and f.position == "start"]
    end = [f for f in inst.respondent_fields if not f.system and f.position == "end"]
    if start:
        pages.append({"id": "respondent", "title": {"fa": t("instrument.form.about_you", language="fa"),
                                                    "en": t("instrument.form.about_you", language="en")},
                      "instruction": None, "questions": [field_q(f) for f in start]})
    for sec in sections(inst):
        qs = []
        for item in sec["items"]:
            qs.append({"id": item.id, "type": "scale", "kind": item.kind, "label": dict(item.text),
                       "required": item.required, "scale": item.scale.id, "min": item.scale.min,
                       "max": item.scale.max, "options": _scale_options(item.scale)})
        pages.append({"id": sec["id"], "title": sec["title"], "instruction": sec["instruction"], "questions": qs})
    if end:
        pages.append({"id": "closing", "title": {"fa": t("instrument.form.closing", language="fa"),
                                                 "en": t("instrument.form.closing", language="en")},
                      "instruction": None, "questions": [field_q(f) for f in end]})
    return {"languages": list(inst.languages), "direction": dict(_DIR), "pages": pages,
            "system_fields": [f.id for f in inst.respondent_fields if f.system]}


# --------------------------------------------------------------------------- codebook
def _scale_text(scale) -> str:
    return f"{scale.min}-{scale.max} ({scale.labels['en'][0]} … {scale.labels['en'][-1]})"


def codebook_frame(inst):
    """One row per data column: variable, construct, role, kind, text_fa, text_en, scale, reverse,
    touchpoint, stage, pairs_with, expected (respondent fields first, then items)."""
    import pandas as pd

    rows = []
    for f in inst.respondent_fields:
        if f.numeric:
            lo = "" if f.min is None else _plain_number(f.min)
            hi = "" if f.max is None else _plain_number(f.max)
            scale = f"numeric {lo}-{hi}".rstrip("-") if (lo or hi) else "numeric"
        else:
            scale = "; ".join(f"{code}={lab['en']}" for code, lab in f.choices.items())
        rows.append({"variable": f.id, "construct": "", "role": "system" if f.system else "respondent",
                     "kind": f.type, "text_fa": f.label["fa"], "text_en": f.label["en"], "scale": scale,
                     "reverse": False, "touchpoint": "", "stage": "", "pairs_with": "", "expected": ""})
    for i in inst.items:
        role = inst.construct(i.construct).role if i.construct else i.kind
        rows.append({"variable": i.id, "construct": i.construct or "", "role": role, "kind": i.kind,
                     "text_fa": i.text["fa"], "text_en": i.text["en"], "scale": _scale_text(i.scale),
                     "reverse": i.reverse, "touchpoint": i.touchpoint or "", "stage": i.stage or "",
                     "pairs_with": i.pairs_with or "", "expected": "" if i.expected is None else str(i.expected)})
    return pd.DataFrame(rows)


def _markdown_table(frame, title: str) -> str:
    def cell(v) -> str:
        text = "yes" if v is True else ("" if v is False else str(v))
        return text.replace("|", "\\|").replace("\n", " ")

    cols = list(frame.columns)
    lines = [f"# {title}", "", "| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- expert panel
PANEL_EXPERTS = 10


def panel_frame(inst, n_experts: int = PANEL_EXPERTS):
    """The empty expert-panel sheet: column ``expert`` (E01, E02, …) then one column per scale item.

    Experts write Lawshe's code (1 = not necessary, 2 = useful but not essential, 3 = essential) for
    ``ce.cvr`` or a relevance rating (1–4) for ``ce.cvi`` in each cell; add or delete rows freely.
    Only items that belong to a construct are listed (respondent fields and checks are not judged).
    """
    import pandas as pd

    items = [i.id for i in inst.items if i.construct]
    rows = [{"expert": f"E{k:02d}", **{i: None for i in items}} for k in range(1, n_experts + 1)]
    return pd.DataFrame(rows, columns=["expert", *items])


def _write_panel(inst, out: Path) -> None:
    frame = panel_frame(inst)
    if out.suffix.lower() != ".xlsx":
        frame.to_csv(out, index=False, encoding="utf-8-sig")
        return
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "panel"
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([v if isinstance(v, str) else None for v in row])
    wi = wb.create_sheet("items")
    wi.append(["item", "construct", "text_fa", "text_en"])
    for i in inst.items:
        if i.construct:
            wi.append([i.id, i.construct, i.text["fa"], i.text["en"]])
    wc = wb.create_sheet("codes")
    wc.append(["method", "code", "meaning_en", "meaning_fa"])
    for method, code, en, fa in _PANEL_CODES:
        wc.append([method, code, en, fa])
    wb.save(out)


_PANEL_CODES = (
    ("cvr", 1, "not necessary", "ضروری نیست"), ("cvr", 2, "useful but not essential", "مفید است ولی ضروری نیست"),
    ("cvr", 3, "essential", "ضروری است"),
    ("cvi", 1, "not relevant", "مربوط نیست"), ("cvi", 2, "somewhat relevant", "تا حدی مربوط است"),
    ("cvi", 3, "quite relevant", "کاملاً مربوط است"), ("cvi", 4, "highly relevant", "بسیار مربوط است"),
)


# --------------------------------------------------------------------------- XLSForm
def _xlsform_rows(inst):
    langs = [XLSFORM_LANGUAGES[lang] for lang in ("fa", "en")]
    survey_cols = ["type", "name"] + [f"label::{lg}" for lg in langs] + [f"hint::{lg}" for lg in langs] + [
        "required", "constraint"] + [f"constraint_message::{lg}" for lg in langs] + ["appearance", "calculation"] + [
        *ITEM_COLUMNS]
    survey: list[dict] = [{"type": "start", "name": "start"}, {"type": "end", "name": "end"}]
    if inst.description:
        survey.append({"type": "note", "name": "intro", **{f"label::{XLSFORM_LANGUAGES[k]}": v
                                                          for k, v in inst.description.items()}})
    choices: list[dict] = []

    def add_list(name, options):
        for opt in options:
            choices.append({"list_name": name, "name": str(opt["value"]),
                            **{f"label::{XLSFORM_LANGUAGES[k]}": v for k, v in opt["label"].items()}})

    def field_rows(fields):
        for f in fields:
            row = {"name": f.id, "required": "yes" if f.required else "no",
                   **{f"label::{XLSFORM_LANGUAGES[k]}": v for k, v in f.label.items()}}
            if f.numeric:
                row["type"] = "decimal"
                cons = []
                if f.min is not None:
                    cons.append(f". >= {_plain_number(f.min)}")
                if f.max is not None:
                    cons.append(f". <= {_plain_number(f.max)}")
                if cons:
                    row["constraint"] = " and ".join(cons)
                    for k, lg in XLSFORM_LANGUAGES.items():
                        row[f"constraint_message::{lg}"] = t("instrument.form.range", language=k,
                                                              min="" if f.min is None else _plain_number(f.min),
                                                              max="" if f.max is None else _plain_number(f.max))
            else:
                row["type"] = f"select_one {f.id}"
                add_list(f.id, _field_options(f))
            if f.position == "end":
                row["position"] = "end"
            survey.append(row)

    field_rows([f for f in inst.respondent_fields if not f.system and f.position == "start"])
    for f in inst.respondent_fields:  # recorded by the form, not asked: a calculation from start and end
        if f.system:
            row = {"type": "calculate", "name": f.id, "calculation": DURATION_CALCULATION, "system": "yes",
                   "required": "yes" if f.required else "no",
                   **{f"label::{XLSFORM_LANGUAGES[k]}": v for k, v in f.label.items()}}
            if f.min is not None:
                row["min"] = _plain_number(f.min)
            if f.max is not None:
                row["max"] = _plain_number(f.max)
            survey.append(row)
    for scale in inst.scales.values():  # every scale, so that the form reads back as the same instrument
        add_list(scale.id, _scale_options(scale))
    for sec in sections(inst):
        label = sec["instruction"] or sec["title"] or {"fa": "", "en": ""}
        survey.append({"type": "begin_group", "name": sec["id"], "appearance": "field-list",
                       **{f"label::{XLSFORM_LANGUAGES[k]}": v for k, v in label.items()}})
        for item in sec["items"]:
            row = {"type": f"select_one {item.scale.id}", "name": item.id,
                   "required": "yes" if item.required else "no",
                   "appearance": "likert" if item.kind != "nps" else "",
                   **{f"label::{XLSFORM_LANGUAGES[k]}": v for k, v in item.text.items()},
                   "construct": item.construct or "", "kind": item.kind, "reverse": "yes" if item.reverse else "no"}
            for key in ("touchpoint", "stage", "pairs_with", "expected"):
                if getattr(item, key) is not None:
                    row[key] = str(getattr(item, key))
            survey.append(row)
        survey.append({"type": "end_group", "name": ""})
    field_rows([f for f in inst.respondent_fields if not f.system and f.position == "end"])
    choice_cols = ["list_name", "name"] + [f"label::{lg}" for lg in langs]
    settings = {"form_title": inst.title["fa"] if "fa" in inst.languages else inst.title["en"],
                "form_id": inst.name, "version": inst.version.replace(".", "_"),
                "default_language": XLSFORM_LANGUAGES[inst.languages[0]]}
    return survey_cols, survey, choice_cols, choices, settings


def _construct_rows(inst):
    """The ``constructs`` sheet: id, role, source and fa/en name, definition, instruction of each construct."""
    cols = ["id", "role", "source"] + [f"{key}::{lg}" for key in ("name", "definition", "instruction")
                                       for lg in XLSFORM_LANGUAGES.values()]
    rows = []
    for cid in inst.constructs:
        c = inst.construct(cid)
        row = {"id": c.id, "role": c.role, "source": c.source}
        for key in ("name", "definition", "instruction"):
            for k, lg in XLSFORM_LANGUAGES.items():
                row[f"{key}::{lg}"] = (getattr(c, key) or {}).get(k, "")
        rows.append(row)
    return cols, rows


def _metadata_rows(inst):
    """The ``metadata`` sheet (key, value): what the XLSForm settings sheet cannot hold."""
    rows = [("name", inst.name), ("version", inst.version), ("title::fa", inst.title["fa"]),
            ("title::en", inst.title["en"]), ("languages", " ".join(inst.languages)),
            ("default_scale", inst.default_scale), ("mediator", inst.mediator or ""),
            ("respondent_fields", " ".join(f.id for f in inst.respondent_fields))]
    if inst.context:
        rows.append(("context", inst.context))
    return rows


def _write_xlsform(inst, out: Path) -> None:
    from openpyxl import Workbook

    survey_cols, survey, choice_cols, choices, settings = _xlsform_rows(inst)
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(survey_cols)
    for row in survey:
        ws.append([row.get(c, "") or None for c in survey_cols])
    wc = wb.create_sheet("choices")
    wc.append(choice_cols)
    for row in choices:
        wc.append([row.get(c, "") for c in choice_cols])
    wst = wb.create_sheet("settings")
    wst.append(list(settings))
    wst.append(list(settings.values()))
    construct_cols, construct_rows = _construct_rows(inst)
    wk = wb.create_sheet("constructs")
    wk.append(construct_cols)
    for row in construct_rows:
        wk.append([row.get(c, "") or None for c in construct_cols])
    wm = wb.create_sheet("metadata")
    wm.append(["key", "value"])
    for key, value in _metadata_rows(inst):
        wm.append([key, value])
    for sheet in (ws, wc, wst, wk, wm):
        for col in sheet.columns:
            sheet.column_dimensions[col[0].column_letter].width = min(60, max(10, *(len(str(c.value or ""))
                                                                                    for c in col)))
    wb.save(out)


# --------------------------------------------------------------------------- printable HTML
@functools.cache
def _font_data_uri() -> str:
    data = (resources.files("cem_edu") / "fonts" / "Vazirmatn-Regular.woff2").read_bytes()
    return "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")


_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ langs[0] }}" dir="{{ dirs[langs[0]] }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ inst.title[langs[0]] }}</title>
<style>
@font-face { font-family: "Vazirmatn"; src: url("{{ font }}") format("woff2"); font-weight: 400; }
body { font-family: "Vazirmatn", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 60rem; color: #222;
       line-height: 1.6; }
section.form + section.form { page-break-before: always; break-before: page; margin-top: 3rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
.meta { color: #666; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; page-break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: .3rem .4rem; vertical-align: middle; }
th { background: #f3f3f3; font-weight: normal; font-size: .8rem; text-align: center; }
td.code { width: 3.2rem; color: #555; font-family: monospace; font-size: .8rem; }
td.opt { text-align: center; width: 5.5%; } .box { font-size: 1.1rem; }
ul.choices { list-style: none; padding: 0; margin: .25rem 0 1rem; } ul.choices li { display: inline-block;
  margin-inline-end: 1.5rem; }
.line { display: inline-block; border-bottom: 1px solid #555; min-width: 12rem; }
@media print { body { margin: 0; max-width: none; } }
</style>
</head>
<body>
{% for lang in langs %}
<section class="form" lang="{{ lang }}" dir="{{ dirs[lang] }}">
<h1>{{ inst.title[lang] }}</h1>
<p class="meta">{{ inst.name }} · v{{ inst.version }}</p>
{% if inst.description %}<p>{{ inst.description[lang] }}</p>{% endif %}
{% if start_fields %}
<h2>{{ text[lang].about_you }}</h2>
{% for f in start_fields %}{{ field_block(f, lang) }}{% endfor %}
{% endif %}
{% for sec in secs %}
<h2>{{ sec.title[lang] if sec.title else "" }}</h2>
{% if sec.instruction %}<p>{{ sec.instruction[lang] }}</p>{% endif %}
{% for block in sec.blocks %}
<table>
<thead><tr><th>{{ text[lang].code }}</th><th>{{ text[lang].statement }}</th>
{% for v in block.scale.values %}<th>{{ num(v, lang) }}<br>{{ block.scale.labels[lang][loop.index0] if block.scale.points <= 7 else "" }}</th>{% endfor %}</tr></thead>
<tbody>
{% for item in block["items"] %}<tr><td class="code">{{ item.id }}</td><td>{{ item.text[lang] }}</td>
{% for v in block.scale.values %}<td class="opt"><span class="box">&#9711;</span></td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% if block.scale.points > 7 %}<p class="meta">{{ block.scale.labels[lang][0] }} · {{ block.scale.labels[lang][-1] }}</p>{% endif %}
{% endfor %}
{% endfor %}
{% if end_fields %}
<h2>{{ text[lang].closing }}</h2>
{% for f in end_fields %}{{ field_block(f, lang) }}{% endfor %}
{% endif %}
<p class="meta">{{ text[lang].thanks }}</p>
</section>
{% endfor %}
</body>
</html>
"""

_FIELD_MACRO = """{% macro field_block(f, lang) %}<p><strong>{{ f.label[lang] }}</strong>{% if not f.required %} <span class="meta">{{ text[lang].optional }}</span>{% endif %}</p>
{% if f.numeric %}<p><span class="line">&nbsp;</span></p>
{% else %}<ul class="choices">{% for code, lab in f.choices.items() %}<li><span class="box">&#9744;</span> {{ lab[lang] }}</li>{% endfor %}</ul>{% endif %}
{% endmacro %}"""


def render_html(inst, language: str | None = None) -> str:
    """The printable form as one HTML string (both languages, fa first, unless ``language`` is given).

    Every text is HTML-escaped (Jinja2 autoescape); the Persian part has ``dir="rtl" lang="fa"``.
    """
    from jinja2 import Environment

    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_FIELD_MACRO + _TEMPLATE)
    langs = [language] if language else [lg for lg in ("fa", "en") if lg in inst.languages] or ["fa", "en"]
    secs = []
    for sec in sections(inst):
        blocks: list[dict] = []
        for item in sec["items"]:
            if not blocks or blocks[-1]["scale"].id != item.scale.id:
                blocks.append({"scale": item.scale, "items": []})
            blocks[-1]["items"].append(item)
        secs.append({**sec, "blocks": blocks})
    keys = ("about_you", "closing", "code", "statement", "thanks", "optional")
    text = {lg: {k: t(f"instrument.form.{k}", language=lg) for k in keys} for lg in ("fa", "en")}
    return template.render(
        inst=inst, langs=langs, dirs=_DIR, font=_font_data_uri(), secs=secs, text=text,
        start_fields=[f for f in inst.respondent_fields if not f.system and f.position == "start"],
        end_fields=[f for f in inst.respondent_fields if not f.system and f.position == "end"],
        num=numerals)
