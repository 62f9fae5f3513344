"""The questionnaire as a form: questions, their options, and validation of one submission.

Shared by the web server (:mod:`cem_edu.collect.server`) and the notebook widget
(:mod:`cem_edu.collect.widget`); no web framework is imported here.

A submission is a mapping ``{question id: [raw strings]}`` (what an HTML form sends);
:func:`validate` turns it into typed values and per-question errors::

    values, errors = validate(questions(inst), {"FUN1": ["5"], "NPS": ["9"], ...})
    errors  # {"FUN2": Problem("collect.error_required", {})}

Errors are message keys plus fields, so each reader sees them in the language of the form
(``problem.message("fa")``).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..i18n import t, to_ascii_digits

__all__ = ["Question", "Option", "Problem", "questions", "validate", "SERVER_FIELDS"]

# Respondent fields the server fills in itself (never shown to the respondent).
SERVER_FIELDS = frozenset({"duration_sec"})

ITEM_KINDS = ("likert", "nps", "attention")


@dataclass(frozen=True)
class Option:
    """One answer a respondent can choose: the stored ``value`` and its label per language."""

    value: int | str
    label: dict = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return _pick(self.label, lang) if self.label else str(self.value)


@dataclass(frozen=True)
class Question:
    """One question of the form.

    ``kind`` is ``likert``, ``nps`` or ``attention`` for items (integer scale
    ``min``..``max`` shown as radio buttons), ``choice`` for a respondent field with
    listed codes, ``number`` for a free numeric respondent field (e.g. spend).
    """

    id: str
    kind: str
    label: dict
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    required: bool = True
    construct: str | None = None
    position: str = "item"
    instruction: dict | None = None

    @property
    def is_item(self) -> bool:
        return self.kind in ITEM_KINDS

    def text(self, lang: str) -> str:
        return _pick(self.label, lang) or self.id


@dataclass(frozen=True)
class Problem:
    """Why one answer was rejected: a message key of ``locales/collect.yaml`` and its fields."""

    key: str
    fields: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)     # {lang: why}, e.g. the number parser's explanation

    def message(self, lang: str) -> str:
        text = t(self.key, language=lang, **self.fields)
        return f"{text} {self.detail[lang]}" if self.detail.get(lang) else text


def _pick(texts, lang: str) -> str:
    if isinstance(texts, str):
        return texts
    if not texts:
        return ""
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


def _num(value):
    if value is None:
        return None
    v = float(value)
    return int(v) if v.is_integer() else v


def _item_question(item, instruction=None) -> Question:
    scale = item.scale
    lo, hi = int(scale.min), int(scale.max)
    n_points = hi - lo + 1
    labels = getattr(scale, "labels", None) or {}
    options = []
    for k, value in enumerate(range(lo, hi + 1)):
        label = {}
        for lang, seq in labels.items():
            seq = list(seq or [])
            if len(seq) == n_points and seq[k]:
                label[lang] = seq[k]
        options.append(Option(value=value, label=label))
    kind = getattr(item, "kind", "likert") or "likert"
    return Question(id=item.id, kind=kind if kind in ITEM_KINDS else "likert", label=dict(item.text),
                    options=tuple(options), min=lo, max=hi, required=bool(getattr(item, "required", True)),
                    construct=getattr(item, "construct", None), instruction=instruction)


def _field_question(f) -> Question:
    label = getattr(f, "label", None) or {"en": f.id, "fa": f.id}
    position = "end" if getattr(f, "position", "start") == "end" else "start"
    choices = getattr(f, "choices", None)
    if choices:
        if isinstance(choices, Mapping):
            options = tuple(Option(value=code, label=dict(lab) if isinstance(lab, Mapping) else {"en": str(lab)})
                            for code, lab in choices.items())
        else:
            options = tuple(Option(value=c) for c in choices)
        return Question(id=f.id, kind="choice", label=dict(label), options=options,
                        required=bool(getattr(f, "required", True)), position=position)
    return Question(id=f.id, kind="number", label=dict(label), min=_num(getattr(f, "min", None)),
                    max=_num(getattr(f, "max", None)), required=bool(getattr(f, "required", False)),
                    position=position)


def _instruction(inst, construct_id):
    try:
        text = inst.construct(construct_id).instruction if construct_id else None
    except Exception:  # noqa: BLE001 - an instrument without construct look-up or instructions
        return None
    return dict(text) if text else None


def questions(inst) -> list[Question]:
    """The questions of ``inst`` in form order: respondent fields with ``position: start``, the
    items (the first item of a construct carries the construct's instruction, if any), then the
    fields with ``position: end``.

    System fields recorded by the server (``duration_sec``) are left out.
    """
    fields = [_field_question(f) for f in getattr(inst, "respondent_fields", ())
              if f.id not in SERVER_FIELDS and not getattr(f, "system", False)]
    items, previous = [], object()
    for item in inst.items:
        construct = getattr(item, "construct", None)
        instruction = _instruction(inst, construct) if construct != previous else None
        previous = construct
        items.append(_item_question(item, instruction))
    return ([q for q in fields if q.position == "start"] + items + [q for q in fields if q.position == "end"])


def _clean(raw: str) -> str:
    """A choice or scale answer as ASCII text (Persian/Arabic digits accepted)."""
    return to_ascii_digits(raw).strip()


def _parse_number(text: str):
    """A typed number by the one parser of form, intake and CLI (:func:`cem_edu.intake.numbers.parse_number`:
    Persian/Arabic digits, ``٫``/``,`` decimal marks, thousands separators only in valid groups; no
    ``1_000``, ``1e308``, ``inf``). Returns ``(value, None)`` or ``(None, {"fa": why, "en": why})``."""
    from ..intake.numbers import parse_number

    try:
        return parse_number(text), None
    except ValueError:
        reasons = {}
        for lang in ("fa", "en"):
            try:
                parse_number(text, language=lang)
            except ValueError as exc:
                reasons[lang] = str(exc)
        return None, reasons


def _validate_one(q: Question, raw: list[str]):
    raw = [r for r in (raw or []) if r is not None and str(r).strip() != ""]
    if not raw:
        return None, (Problem("collect.error_required") if q.required else None)
    if len(raw) > 1:
        return None, Problem("collect.error_multiple")
    text = _clean(str(raw[0]))
    if q.kind == "choice":
        for opt in q.options:
            if text == str(opt.value):
                return opt.value, None
        return None, Problem("collect.error_choice")
    if q.is_item:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not value.is_integer():
            return None, Problem("collect.error_integer", {"min": q.min, "max": q.max})
        if not q.min <= value <= q.max:
            return None, Problem("collect.error_range", {"min": q.min, "max": q.max})
        return int(value), None
    value, reasons = _parse_number(str(raw[0]))
    if value is None or not math.isfinite(value):
        return None, Problem("collect.error_number", detail=reasons or {})
    if q.min is not None and value < q.min:
        return None, Problem("collect.error_min", {"min": q.min})
    if q.max is not None and value > q.max:
        return None, Problem("collect.error_max", {"max": q.max})
    return (int(value) if value.is_integer() and abs(value) < 2**53 else value), None


def validate(qs: list[Question], data: Mapping[str, list[str] | str]) -> tuple[dict, dict]:
    """Check one submission against the questions.

    Parameters
    ----------
    qs : the form's questions (:func:`questions`).
    data : ``{question id: [raw strings]}`` or ``{id: str}``; unknown keys are ignored.

    Returns
    -------
    values : ``{id: int | float | str | None}`` for every question (None = not answered).
    errors : ``{id: Problem}`` for the answers that are missing, out of range or unknown.
    """
    values, errors = {}, {}
    for q in qs:
        raw = data.get(q.id)
        if raw is None or isinstance(raw, (str, int, float)):
            raw = [] if raw is None else [str(raw)]
        value, problem = _validate_one(q, list(raw))
        values[q.id] = value
        if problem is not None:
            errors[q.id] = problem
    return values, errors
