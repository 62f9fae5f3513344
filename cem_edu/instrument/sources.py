"""Instruments from what researchers already have: an XLSForm, a one-sheet codebook, a list of constructs.

``load_instrument(path)`` dispatches here by the file's extension and content:

* **XLSForm** (``.xlsx`` with a ``survey`` sheet; the ODK / KoboToolbox standard, https://xlsform.org):
  ``select_one LIST`` rows whose list has whole-number codes are items, their list a response scale;
  other ``select_one`` rows are respondent fields, ``integer``/``decimal`` rows numeric fields
  (range from ``constraint``). The construct of an item comes from a ``construct`` column, else
  from its name's prefix (``SAT1``, ``sat_2`` -> ``SAT``, ``sat``); reverse keys from a
  ``reverse`` column (yes/true/1). Labels from ``label::fa`` / ``label::en`` (also
  ``label::Persian (fa)``, ``label::English``, ``label::Farsi`` or a plain ``label``). What the kit's
  own export writes besides (``constructs`` and ``metadata`` sheets, ``kind``, ``touchpoint``, ...)
  is read back, so ``load_instrument(inst.export(format="xlsform")) == inst``.
* **Codebook** (``.csv``, or ``.xlsx`` without a ``survey`` sheet): one row per item with the columns
  ``item``, ``construct``, ``text`` (or ``text_fa`` / ``text_en``), ``reverse``, ``min``, ``max``
  (optional ``labels_fa`` / ``labels_en``: the answer labels separated by ``;``).
* :func:`instrument_from_constructs` builds one from ``{construct: [items]}`` and the data (the
  lavaan-model door, ``ce.instrument_from_model``, parses the model and calls it).

Every problem is one line naming the file, the sheet row or column, and the fix
(:class:`cem_edu.errors.InstrumentError`).
"""
from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

from ..errors import InstrumentError
from ..i18n import t
from ..validation import check_columns

__all__ = ["read_xlsform", "read_codebook", "instrument_from_constructs", "infer_scale", "parse_scale",
           "name_prefix", "is_xlsform"]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TRUE = {"yes", "true", "true()", "1", "y", "x", "reverse", "reversed", "r", "بله", "آری", "معکوس"}
_FALSE = {"", "no", "false", "false()", "0", "n", "nan", "none", "خیر"}


# --------------------------------------------------------------------------- shared helpers
def _cell(v) -> str:
    """A sheet cell as stripped text ('' for empty / NaN); whole floats without '.0'."""
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
    return str(v).strip()


def _flag(v, where: str) -> bool:
    text = _cell(v).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InstrumentError(t("sources.err.flag", where=where, value=_cell(v)))


def _language(suffix: str) -> str | None:
    """'fa' / 'en' / None from a column suffix such as 'Persian (fa)', 'fa', 'English', 'Farsi'."""
    s = suffix.strip().lower()
    m = re.search(r"\((\w+)\)\s*$", s)
    code = m.group(1) if m else s
    if code in ("fa", "per", "fas", "persian", "farsi", "فارسی"):
        return "fa"
    if code in ("en", "eng", "english"):
        return "en"
    return None


def _has_persian(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _bilingual(texts: dict, fallback: str) -> dict:
    """{fa, en} with a missing language filled from the other (the schema needs both)."""
    fa, en = texts.get("fa") or "", texts.get("en") or ""
    return {"fa": fa or en or fallback, "en": en or fa or fallback}


def _labelled(row: dict, key: str) -> dict:
    """{fa, en} from ``key::<language>`` columns of a row, or a plain ``key`` column (language by script)."""
    out: dict = {}
    for col, value in row.items():
        text = _cell(value)
        if not text:
            continue
        if col.startswith(key + "::"):
            lang = _language(col.split("::", 1)[1])
            if lang and lang not in out:
                out[lang] = text
        elif col == key:
            out.setdefault("fa" if _has_persian(text) else "en", text)
    return out


def name_prefix(item_id: str) -> str:
    """The construct an item's name suggests: its letters before the trailing number (``SAT2`` -> ``SAT``)."""
    m = re.match(r"^(.*?)[_\-.]?\d+$", item_id)
    return m.group(1) if m and m.group(1) else item_id


def _digits_fa(text: str) -> str:
    return text.translate(str.maketrans("0123456789-", "۰۱۲۳۴۵۶۷۸۹−"))


def _number_labels(lo: int, hi: int) -> dict:
    return {"fa": [_digits_fa(str(v)) for v in range(lo, hi + 1)], "en": [str(v) for v in range(lo, hi + 1)]}


def parse_scale(text: str) -> tuple[int, int]:
    """``(min, max)`` from ``"1-6"``, ``"1–6"``, ``"0..10"``, ``"1:5"`` or ``"۱-۶"`` (a CLI ``--scale``)."""
    raw = str(text).strip().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2))
    m = re.fullmatch(r"(-?\d+)\s*(?:-|–|—|\.\.|:|to)\s*(-?\d+)", raw)
    if not m or int(m.group(1)) >= int(m.group(2)):
        raise InstrumentError(t("sources.err.scale_text", value=text))
    return int(m.group(1)), int(m.group(2))


def infer_scale(data, items) -> tuple[int, int]:
    """The smallest and largest answer in the item columns of ``data`` (whole numbers around them).

    The range a researcher would declare when the data show every answer option at least once;
    a scale whose end points nobody chose comes out too short, which is why ``instrument_from_model``
    warns with the range it inferred.
    """
    import numpy as np
    import pandas as pd

    values = pd.concat([pd.to_numeric(data[c], errors="coerce") for c in items], ignore_index=True).dropna()
    if values.empty:
        raise InstrumentError(t("sources.err.no_numbers", items=", ".join(map(str, items[:6]))))
    return int(np.floor(values.min())), int(np.ceil(values.max()))


def _construct_spec(cid: str, source: str) -> dict:
    return {"id": cid, "role": "experience", "name": {"fa": cid, "en": cid},
            "definition": {lang: t("sources.definition", language=lang, source=source) for lang in ("fa", "en")},
            "source": source}


def _build(spec: dict, filename: str):
    """Validate a questionnaire dict with the YAML rules and return the Instrument; messages lose
    the YAML line numbers (the dict has no file lines) but keep the key path and the item."""
    import yaml

    from .checks import check
    from .model import Instrument

    text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
    try:
        checked = check(text, filename)
    except InstrumentError as err:
        problems = [re.sub(rf"^{re.escape(filename)}:\d+: ", f"{filename}: ", p) for p in getattr(err, "problems",
                                                                                             [str(err)])]
        new = InstrumentError(problems[0] if len(problems) == 1 else
                              t("instrument.err.many", file=filename, n=len(problems)) + "\n"
                              + "\n".join(f"  - {p}" for p in problems))
        new.problems = problems
        raise new from None
    return Instrument(checked, None)


# --------------------------------------------------------------------------- from constructs and data
def instrument_from_constructs(constructs: dict, data=None, reverse=(), scale=None, name: str = "own_data",
                               source: str = "model"):
    """An :class:`~cem_edu.instrument.Instrument` from ``{construct: [item columns]}`` and the data.

    Parameters
    ----------
    constructs : dict construct -> list of item ids (the data's column names)
    data : DataFrame, optional; needed when ``scale`` is not given (the range is read from it)
    reverse : item ids that are reverse-keyed (x' = min + max − x when the data are cleaned)
    scale : ``(min, max)`` or text ``"1-6"``; default: inferred from the data, with a warning that
        names the inferred range (a scale whose end points nobody chose would come out too short)
    name : the instrument's name; source : what the constructs came from (shown as their source)

    Returns
    -------
    Instrument with one scale (labels are the numbers), one construct per key and one Likert item
    per column; item texts are the ids. Constructs of one or two items are allowed (a lavaan model
    may have them); :func:`load_instrument` keeps the three-item rule for questionnaire files.
    """
    from .model import Instrument

    groups = {str(c): [str(i) for i in items] for c, items in dict(constructs).items() if items}
    if not groups:
        raise InstrumentError(t("sources.err.no_constructs"))
    every = [i for items in groups.values() for i in items]
    for ident in list(groups) + every:
        if not _ID.match(ident):
            raise InstrumentError(t("sources.err.bad_id", id=ident))
    seen: dict = {}
    for c, items in groups.items():
        for i in items:
            if i in seen:
                raise InstrumentError(t("sources.err.item_twice", id=i, first=seen[i], second=c))
            seen[i] = c
    reverse = [r.strip() for r in (reverse.split(",") if isinstance(reverse, str) else reverse or ()) if r.strip()]
    unknown = [r for r in reverse if r not in seen]
    if unknown:
        raise InstrumentError(t("sources.err.reverse_unknown", items=", ".join(unknown), known=", ".join(every)))
    if scale is None:
        if data is None:
            raise InstrumentError(t("sources.err.no_scale"))
        check_columns(data, every, key="sources.err.items_absent", error=InstrumentError)
        lo, hi = infer_scale(data, every)
        if lo >= hi:
            raise InstrumentError(t("sources.err.scale_flat", value=lo))
        warnings.warn(t("sources.warn.inferred_scale", lo=lo, hi=hi), UserWarning, stacklevel=3)
    else:
        lo, hi = parse_scale(scale) if isinstance(scale, str) else (int(scale[0]), int(scale[1]))
        if lo >= hi:
            raise InstrumentError(t("sources.err.scale_text", value=f"{lo}-{hi}"))
    spec = {"name": name, "version": "1.0",
            "title": {"fa": name, "en": name}, "languages": ["fa", "en"], "default_scale": "scale",
            "mediator": None,
            "scales": {"scale": {"min": lo, "max": hi, "labels": _number_labels(lo, hi)}},
            "constructs": [_construct_spec(c, source) for c in groups],
            "items": [{"id": i, "construct": c, "kind": "likert", "text": {"fa": i, "en": i}, "scale": "scale",
                       "reverse": i in reverse} for c, items in groups.items() for i in items]}
    return Instrument(spec, None)


# --------------------------------------------------------------------------- XLSForm
def is_xlsform(path) -> bool:
    """Whether an .xlsx file has the XLSForm ``survey`` sheet."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - not a workbook: the codebook reader says so
        return False
    try:
        return "survey" in [s.lower() for s in wb.sheetnames]
    finally:
        wb.close()


def _sheet(wb, name: str):
    """Rows of sheet ``name`` (case-insensitive) as dicts keyed by the header (first row); [] if absent."""
    for title in wb.sheetnames:
        if title.lower() == name:
            rows = list(wb[title].iter_rows(values_only=True))
            break
    else:
        return []
    if not rows:
        return []
    header = [_cell(h) for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        row = {h: v for h, v in zip(header, values) if h}
        if any(_cell(v) for v in row.values()):
            row["__row__"] = number
            out.append(row)
    return out


def _range_from_constraint(text: str) -> tuple:
    lo = re.search(r"\.\s*>=?\s*(-?[\d.]+)", text or "")
    hi = re.search(r"\.\s*<=?\s*(-?[\d.]+)", text or "")
    num = (lambda m: float(m.group(1)) if "." in m.group(1) else int(m.group(1)))
    return (num(lo) if lo else None), (num(hi) if hi else None)


def read_xlsform(path):
    """Read an XLSForm (ODK / KoboToolbox) as an Instrument; see the module docstring for the rules."""
    p = Path(path)
    name = p.name
    survey, choices, constructs_sheet, metadata, settings = _xlsform_sheets(p)
    form = _XLSForm(name, choices, survey)
    for row in survey:
        form.question(row)
    form.single_questions()
    items, fields = form.items, form.fields
    if not items:
        raise InstrumentError(t("sources.err.no_items_xlsform", file=name))
    constructs = _xlsform_constructs(constructs_sheet, items, name)
    _one_item_constructs(items, name, "survey")
    for it in items:
        it.pop("_row", None)
    meta = {_cell(r.get("key")): _cell(r.get("value")) for r in metadata}
    spec = _xlsform_header(p, meta, settings, survey)
    used = list(dict.fromkeys(i["scale"] for i in items))
    spec["default_scale"] = meta.get("default_scale") or used[0]
    spec["mediator"] = meta.get("mediator") or None
    spec["scales"] = {sid: form.scales[sid] for sid in form.scales}
    spec["constructs"] = constructs
    order = meta.get("respondent_fields", "").split()
    if order:  # the kit's export records the fields' order (recorded fields come after the questions)
        fields.sort(key=lambda f: order.index(f["id"]) if f["id"] in order else len(order))
    spec["respondent_fields"] = fields
    spec["items"] = items
    return _build(spec, name)


def _xlsform_sheets(p: Path) -> tuple:
    """The survey, choices, constructs, metadata and settings sheets as row dicts (an unreadable file: one line)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise InstrumentError(t("sources.err.unreadable", file=p.name, reason=str(exc).strip())) from None
    try:
        return (_sheet(wb, "survey"), _sheet(wb, "choices"), _sheet(wb, "constructs"), _sheet(wb, "metadata"),
                _sheet(wb, "settings"))
    finally:
        wb.close()


class _XLSForm:
    """The questions of an XLSForm's survey sheet turned into items and respondent fields, with the
    answer lists that are numbered scales (the state the rows share)."""

    def __init__(self, name: str, choices: list, survey: list):
        self.name = name
        self.lists: dict[str, list] = {}
        for row in choices:
            lname = _cell(row.get("list_name") or row.get("list name"))
            if lname:
                self.lists.setdefault(lname, []).append(row)
        self.scales: dict = {}
        self.items: list = []
        self.fields: list = []
        self.has_construct_column = any("construct" in row for row in survey)

    def scale_of(self, lname: str, where: str):
        """The scale id of an answer list whose codes are whole numbers without gaps (None when the
        codes are not numbers); labels fall back to the other language, then to the number."""
        if lname in self.scales:
            return lname
        opts = self.lists.get(lname)
        if not opts:
            raise InstrumentError(t("sources.err.no_list", file=self.name, where=where, list=lname))
        try:
            codes = [int(_cell(o.get("name"))) for o in opts]
        except ValueError:
            return None
        lo, hi = min(codes), max(codes)
        if sorted(codes) != list(range(lo, hi + 1)):
            raise InstrumentError(t("sources.err.list_gaps", file=self.name, list=lname,
                                    codes=", ".join(map(str, codes))))
        by_code = {int(_cell(o.get("name"))): _labelled(o, "label") for o in opts}
        labels = {lang: [by_code[v].get(lang) or by_code[v].get("en" if lang == "fa" else "fa") or
                         (_digits_fa(str(v)) if lang == "fa" else str(v)) for v in range(lo, hi + 1)]
                  for lang in ("fa", "en")}
        self.scales[lname] = {"min": lo, "max": hi, "labels": labels}
        return lname

    def question(self, row: dict) -> None:
        """One survey row: a select question or a number; groups, notes and other types are skipped."""
        qname = _cell(row.get("name"))
        where = t("sources.where_row", sheet="survey", row=row["__row__"], name=qname)
        head, _, rest = _cell(row.get("type")).partition(" ")
        head = head.lower()
        if head in ("begin_group", "begin", "begin_repeat"):
            return
        position = _cell(row.get("position")) or ("end" if self.items else "start")
        if head in ("select_one", "select1"):
            self.select_one(row, qname, rest, where, position)
        elif head in ("integer", "decimal", "calculate"):
            self.number(row, qname, head, where, position)

    def select_one(self, row: dict, qname: str, rest: str, where: str, position: str) -> None:
        """A rating item (numbered list, with a construct or a kind), else a numeric or choice field."""
        label = _labelled(row, "label")
        lname = rest.split()[0] if rest else ""
        sid = self.scale_of(lname, where)
        construct = _cell(row.get("construct"))
        kind = _cell(row.get("kind")) or "likert"
        # with a construct column, a numbered question without a construct is not an item (an age band,
        # a rating that measures nothing else); without the column, the name's prefix decides below
        if sid is not None and (construct or kind != "likert" or not self.has_construct_column):
            self.items.append(self.item(row, qname, label, sid, construct, kind, where))
            return
        required = _flag(row.get("required"), where) if _cell(row.get("required")) else False
        if sid is not None:  # numbered answer options: a numeric field over the codes' range
            self.fields.append({"id": qname, "type": "numeric", "label": _bilingual(label, qname),
                                "min": self.scales[sid]["min"], "max": self.scales[sid]["max"],
                                "required": required, "system": False, "position": position})
            return
        self.fields.append({"id": qname, "type": "choice", "label": _bilingual(label, qname),
                            "choices": {_cell(o.get("name")): _bilingual(_labelled(o, "label"), _cell(o.get("name")))
                                        for o in self.lists.get(lname, [])},
                            "required": required, "system": False, "position": position})

    @staticmethod
    def item(row: dict, qname: str, label, sid: str, construct: str, kind: str, where: str) -> dict:
        """The item spec of a rating question (construct from the column or the name's prefix)."""
        item = {"id": qname, "kind": kind, "text": _bilingual(label, qname), "scale": sid,
                "required": _flag(row.get("required"), where) if _cell(row.get("required")) else True,
                "_row": row["__row__"]}
        if kind == "likert":
            item["construct"] = construct or name_prefix(qname)
        item["reverse"] = _flag(row.get("reverse"), where) if "reverse" in row else False
        for key in ("touchpoint", "stage", "pairs_with"):
            if _cell(row.get(key)):
                item[key] = _cell(row.get(key))
        if _cell(row.get("expected")):
            item["expected"] = int(_cell(row.get("expected")))
        return item

    def number(self, row: dict, qname: str, head: str, where: str, position: str) -> None:
        """An integer/decimal question, or a calculation marked ``system``, as a numeric field with its range."""
        system = head == "calculate"
        if system and not _flag(row.get("system"), where):
            return  # a form's own calculation, not a data column the kit analyses
        lo, hi = _range_from_constraint(_cell(row.get("constraint")))
        if _cell(row.get("min")):
            lo = float(_cell(row.get("min"))) if "." in _cell(row.get("min")) else int(_cell(row.get("min")))
        if _cell(row.get("max")):
            hi = float(_cell(row.get("max"))) if "." in _cell(row.get("max")) else int(_cell(row.get("max")))
        field = {"id": qname, "type": "numeric", "label": _bilingual(_labelled(row, "label"), qname),
                 "required": _flag(row.get("required"), where) if _cell(row.get("required")) else False,
                 "system": system, "position": "start" if system else position}
        if lo is not None:
            field["min"] = lo
        if hi is not None:
            field["max"] = hi
        self.fields.append(field)

    def single_questions(self) -> None:
        """Without a construct column, a prefix shared by no other question is a single question, not a
        construct: it becomes a numeric field."""
        if self.has_construct_column:
            return
        counts: dict = {}
        for it in self.items:
            counts[it.get("construct")] = counts.get(it.get("construct"), 0) + 1
        for it in [it for it in self.items if it.get("kind") == "likert" and counts[it.get("construct")] == 1]:
            self.items.remove(it)
            self.fields.append({"id": it["id"], "type": "numeric", "label": it["text"],
                                "min": self.scales[it["scale"]]["min"], "max": self.scales[it["scale"]]["max"],
                                "required": it["required"], "system": False, "position": "end"})


def _xlsform_constructs(constructs_sheet: list, items: list, name: str) -> list:
    """The constructs: the sheet's rows when there is one (role, names, definition, instruction), plus
    one per construct the items name and the sheet does not."""
    cids = list(dict.fromkeys(i["construct"] for i in items if "construct" in i))
    if not constructs_sheet:
        return [_construct_spec(c, name) for c in cids]
    constructs = []
    for row in constructs_sheet:
        c = {"id": _cell(row.get("id")), "role": _cell(row.get("role")) or "experience",
             "name": _bilingual(_labelled(row, "name"), _cell(row.get("id"))),
             "definition": _bilingual(_labelled(row, "definition"), t("sources.definition", source=name)),
             "source": _cell(row.get("source")) or name}
        instr = _labelled(row, "instruction")
        if instr:
            c["instruction"] = _bilingual(instr, "")
        constructs.append(c)
    known = {c["id"] for c in constructs}
    return constructs + [_construct_spec(c, name) for c in cids if c not in known]


def _xlsform_header(p: Path, meta: dict, settings: list, survey: list) -> dict:
    """Name, version, title, description (the ``intro`` note), context and languages of the form, from
    the metadata sheet, else the settings sheet, else the file name."""
    title = {"fa": meta.get("title::fa"), "en": meta.get("title::en")}
    form_title = _cell(settings[0].get("form_title")) if settings else ""
    stem = re.sub(r"\W+", "_", p.stem).strip("_") or "form"
    form_name = meta.get("name") or (_cell(settings[0].get("form_id")) if settings else "") or stem
    form_name = re.sub(r"\W+", "_", form_name).strip("_") or "form"
    spec = {"name": form_name if _ID.match(form_name) else f"form_{form_name}",
            "version": meta.get("version") or (_cell(settings[0].get("version")) if settings else "") or "1.0",
            "title": _bilingual({k: v for k, v in title.items() if v} or
                                ({"fa" if _has_persian(form_title) else "en": form_title} if form_title else {}), stem)}
    intro = next((r for r in survey if _cell(r.get("type")).lower() == "note" and _cell(r.get("name")) == "intro"),
                 None)
    if intro is not None and _labelled(intro, "label"):
        spec["description"] = _bilingual(_labelled(intro, "label"), "")
    if meta.get("context"):
        spec["context"] = meta["context"]
    spec["languages"] = meta.get("languages", "fa en").split() or ["fa", "en"]
    return spec


def _one_item_constructs(items: list, filename: str, sheet: str) -> None:
    """A construct measured by one item has no reliability and no factor: one line naming the column."""
    by_construct: dict = {}
    for it in items:
        if it.get("construct"):
            by_construct.setdefault(it["construct"], []).append(it)
    for cid, its in by_construct.items():
        if len(its) == 1:
            it = its[0]
            raise InstrumentError(t("sources.err.one_item", file=filename, sheet=sheet, row=it.get("_row", "?"),
                                    id=it["id"], construct=cid))


# --------------------------------------------------------------------------- codebook
_ITEM_COLUMNS = ("item", "variable", "id", "column", "name")


def read_codebook(path):
    """Read a one-sheet codebook (CSV or XLSX): item, construct, text, reverse, min, max per row.

    ``text`` may be split into ``text_fa`` and ``text_en``; ``labels_fa`` / ``labels_en`` (optional)
    list the answer labels from min to max separated by ``;``; an optional ``role`` column (experience
    or outcome) gives ``inst.model()`` its default structural model (outcomes regressed on experiences). Rows without a construct are not items
    (respondent fields, an identifier) and are skipped. The kit's own codebook export (``variable``,
    ``scale`` such as ``1-7 (Strongly disagree … Strongly agree)``) reads back too.
    """
    import pandas as pd

    p = Path(path)
    name = p.name
    if not p.is_file():
        raise InstrumentError(t("instrument.err.no_file", path=str(p)))
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(p, dtype=object)
        else:
            frame = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python")
    except UnicodeDecodeError as exc:
        raise InstrumentError(t("instrument.err.not_utf8", file=name, reason=exc.reason, pos=exc.start)) from None
    except Exception as exc:  # noqa: BLE001
        raise InstrumentError(t("sources.err.unreadable", file=name, reason=str(exc).strip())) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    id_col = next((c for c in _ITEM_COLUMNS if c in frame.columns), None)
    if id_col is None or "construct" not in frame.columns:
        need = "item" if id_col is None else "construct"
        raise InstrumentError(t("sources.err.codebook_column", file=name, column=need,
                                columns=", ".join(frame.columns)))
    scales: dict = {}
    items = []
    roles: dict = {}  # an optional role column: experience (drivers) / outcome (regressed on them)
    for pos, row in enumerate(frame.to_dict("records")):
        number = pos + 2  # spreadsheet row: header = 1
        iid, cid = _cell(row.get(id_col)), _cell(row.get("construct"))
        kind = _cell(row.get("kind")) or "likert"
        role = _cell(row.get("role"))
        if not iid or role in ("respondent", "system") or (not cid and kind == "likert"):
            continue
        where = t("sources.where_row", sheet=name, row=number, name=iid)
        lo_text, hi_text = _cell(row.get("min")), _cell(row.get("max"))
        if not (lo_text and hi_text) and _cell(row.get("scale")):
            m = re.match(r"\s*(-?\d+)\s*[-–]\s*(-?\d+)", _cell(row.get("scale")))
            if m:
                lo_text, hi_text = m.group(1), m.group(2)
        try:
            lo, hi = int(float(lo_text)), int(float(hi_text))
        except ValueError:
            raise InstrumentError(t("sources.err.codebook_range", where=where, min=lo_text or "—",
                                    max=hi_text or "—")) from None
        if lo >= hi:
            raise InstrumentError(t("sources.err.codebook_range", where=where, min=lo, max=hi))
        labels = _number_labels(lo, hi)
        for lang in ("fa", "en"):
            given = [x.strip() for x in _cell(row.get(f"labels_{lang}")).split(";") if x.strip()]
            if given:
                if len(given) != hi - lo + 1:
                    raise InstrumentError(t("sources.err.codebook_labels", where=where, lang=lang, n=len(given),
                                            points=hi - lo + 1, min=lo, max=hi))
                labels[lang] = given
        key = (lo, hi, tuple(labels["fa"]), tuple(labels["en"]))
        sid = scales.setdefault(key, f"scale{lo}_{hi}".replace("-", "m") if not any(
            k[:2] == (lo, hi) for k in scales) else f"scale{lo}_{hi}_{len(scales) + 1}".replace("-", "m"))
        texts = _labelled({"text": row.get("text"), "text::fa": row.get("text_fa"), "text::en": row.get("text_en")},
                          "text")
        item = {"id": iid, "kind": kind, "text": _bilingual(texts, iid), "scale": sid,
                "reverse": _flag(row.get("reverse"), where) if "reverse" in row else False, "_row": number}
        if cid:
            item["construct"] = cid
            if role in ("experience", "expectation", "outcome"):
                roles.setdefault(cid, role)
        for key in ("touchpoint", "stage", "pairs_with"):
            if _cell(row.get(key)):
                item[key] = _cell(row.get(key))
        if _cell(row.get("expected")):
            item["expected"] = int(float(_cell(row.get("expected"))))
        items.append(item)
    if not items:
        raise InstrumentError(t("sources.err.no_items_codebook", file=name))
    _one_item_constructs(items, name, name)
    for it in items:
        it.pop("_row", None)
    stem = re.sub(r"\W+", "_", p.stem).strip("_") or "codebook"
    spec = {"name": stem if _ID.match(stem) else f"codebook_{stem}", "version": "1.0",
            "title": {"fa": p.stem, "en": p.stem}, "languages": ["fa", "en"],
            "default_scale": items[0]["scale"], "mediator": None,
            "scales": {sid: {"min": k[0], "max": k[1], "labels": {"fa": list(k[2]), "en": list(k[3])}}
                       for k, sid in scales.items()},
            "constructs": [dict(_construct_spec(c, name), role=roles.get(c, "experience"))
                           for c in dict.fromkeys(i["construct"] for i in items if "construct" in i)],
            "items": items}
    return _build(spec, name)


def with_reverse(inst, items):
    """A copy of ``inst`` with ``items`` declared reverse-keyed (the ``--reverse`` option on an instrument)."""
    from .model import Instrument

    items = [i.strip() for i in (items.split(",") if isinstance(items, str) else items or ()) if i.strip()]
    known = set(inst.likert_items)
    unknown = [i for i in items if i not in known]
    if unknown:
        raise InstrumentError(t("sources.err.reverse_unknown", items=", ".join(unknown),
                                known=", ".join(inst.likert_items)))
    spec = inst.to_dict()
    for it in spec["items"]:
        if it["id"] in items:
            it["reverse"] = True
    return Instrument(spec, inst.path)
