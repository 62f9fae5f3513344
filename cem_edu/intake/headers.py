"""Survey-tool exports onto an instrument: headers -> item ids, answer labels -> codes, timestamps -> duration.

Google Forms, Porsline and KoboToolbox (with "labels" headers) write each question's *text* as the
column header, and the chosen answer's *label* ("کاملاً موافقم", "Strongly agree") in the cells.
:func:`apply_instrument` (``read_data(path, inst)``) turns such a file into the frame ``ce.clean``
expects:

1. **Headers.** A column whose header is an item's (or respondent field's) id is kept. Otherwise the
   header is compared with the id and with the fa and en texts, after Persian normalisation
   (:func:`cem_edu.intake.normalise.normalize_text`: digits, ی/ک, ZWNJ, spaces), case folding, and
   without punctuation, a leading question number ("3. ", "Q3)") or a Kobo group path
   ("group_x/FUN1"); a Google Forms grid header "Question [row text]" is compared by its row text.
   An equal key maps the column. Otherwise the closest text by ``difflib``'s ratio
   (2·matches / total length) maps it when the ratio is at least ``cutoff`` (0.85) **and** no other
   item is within 0.05 of it — else the header is *ambiguous* and refused with a message naming the
   column and the candidates. Two columns for one item are refused too. SPSS variable labels
   (``attrs["column_labels"]``) count as header texts.
   Every mapping made is recorded in ``attrs["intake"]["header_map"]`` and reported in one warning.
2. **Labels.** Text answers that are an item scale's labels (fa or en, any ZWNJ / ی / ک variant)
   become its codes; a choice field's labels become its choice codes.
3. **Duration.** When the file lacks the instrument's system field (``duration_sec``; an instrument
   without system fields, such as a codebook's, gets ``duration_sec``, which ``ce.clean``'s speeder
   flag reads) and has a start/end pair of timestamp columns (Kobo ``start``/``end``, ``started_at`` /
   ``submitted_at``, "Start time" / "Completion time", "زمان شروع" / "زمان پایان"), the field is the
   difference in seconds.

Reference: difflib.SequenceMatcher (Ratcliff & Obershelp 1988, "Pattern matching: the gestalt approach").
"""
from __future__ import annotations

import difflib
import re
import warnings

import pandas as pd

from ..errors import DataError
from ..i18n import numerals, t
from .normalise import label_key, likert_label_map, map_likert_labels, normalize_text

__all__ = ["apply_instrument", "match_headers", "header_key", "duration_seconds", "START_END"]

CUTOFF = 0.85   # smallest similarity of a fuzzy header match
DURATION = "duration_sec"  # the column ce.clean's speeder flag reads
MARGIN = 0.05   # the best match must beat every other item by this much, else the header is ambiguous

#: start / end timestamp column pairs, compared by :func:`header_key`
START_END = (("start", "end"), ("started_at", "submitted_at"), ("started_at", "ended_at"),
             ("starttime", "endtime"), ("starttime", "completiontime"), ("start_time", "end_time"),
             ("زمان شروع", "زمان پایان"), ("شروع", "پایان"), ("تاریخ شروع", "تاریخ پایان"))

_NUMBERING = re.compile(r"^\s*(?:q|س|سوال|سؤال|پرسش)?\s*\d+\s*[.)\-:،,]\s*", re.IGNORECASE)
_GRID = re.compile(r"\[([^\[\]]+)\]\s*$")


def header_key(text) -> str:
    """A matching key for a header or an item text: normalised Persian, lower case, no punctuation,
    spaces, ZWNJ or leading question number ("3. ", "Q3)"), no Kobo group path."""
    s = normalize_text(str(text))
    if "/" in s and " " not in s:
        s = s.rsplit("/", 1)[-1]  # Kobo "group_name/question_name"
    s = _NUMBERING.sub("", s)
    s = re.sub(r"[^\w\u200c ]+", " ", s)
    return label_key(s)


def _candidates(inst) -> dict[str, list[str]]:
    """{column id: [its keys]} for every item and respondent field of the instrument."""
    out: dict[str, list[str]] = {}
    for item in inst.items:
        out[item.id] = [header_key(item.id)] + [header_key(v) for v in item.text.values() if v]
    for f in inst.respondent_fields:
        out[f.id] = [header_key(f.id)] + [header_key(v) for v in f.label.values() if v]
    return {k: list(dict.fromkeys(x for x in v if x)) for k, v in out.items()}


def match_headers(columns, inst, *, labels: dict | None = None, cutoff: float = CUTOFF,
                  language: str | None = None) -> dict[str, tuple]:
    """``{column: (id, how, similarity)}`` for the columns that name an item or field of ``inst``.

    ``how`` is "id" (the header is the id), "text" (equal to an fa/en text after normalisation) or
    "fuzzy" (closest text, similarity ≥ ``cutoff`` and no other item within 0.05). ``labels``
    ({column: text}, e.g. SPSS variable labels) are compared too. Raises ``DataError`` for an
    ambiguous header or two columns for one item.
    """
    cands = _candidates(inst)
    exact: dict[str, str] = {}
    for cid, keys in cands.items():
        for k in keys:
            exact.setdefault(k, cid)
    out: dict[str, tuple] = {}
    for col in columns:
        col = str(col)
        if col in cands:
            out[col] = (col, "id", 1.0)
            continue
        texts = [col] + ([labels[col]] if labels and labels.get(col) else [])
        grid = _GRID.search(normalize_text(col))
        if grid:
            texts.append(grid.group(1))
        keys = [header_key(x) for x in texts]
        hit = next((exact[k] for k in keys if k in exact), None)
        if hit is not None:
            out[col] = (hit, "id" if header_key(hit) in keys else "text", 1.0)
            continue
        scores = []
        for cid, ckeys in cands.items():
            best = max((difflib.SequenceMatcher(None, k, c, autojunk=False).ratio() for k in keys if k
                        for c in ckeys), default=0.0)
            scores.append((best, cid))
        scores.sort(reverse=True)
        if not scores or scores[0][0] < cutoff:
            continue
        close = [cid for s, cid in scores if s >= scores[0][0] - MARGIN and s >= cutoff - MARGIN]
        if len(close) > 1:
            raise DataError(t("headers.ambiguous", language, column=col,
                              candidates=", ".join(f"'{c}'" for c in close[:4]), first=close[0]))
        out[col] = (scores[0][1], "fuzzy", round(scores[0][0], 3))
    by_target: dict[str, list[str]] = {}
    for col, (cid, _, _) in out.items():
        by_target.setdefault(cid, []).append(col)
    twice = {cid: cols for cid, cols in by_target.items() if len(cols) > 1}
    if twice:
        cid, cols = next(iter(twice.items()))
        raise DataError(t("headers.twice", language, id=cid,
                          columns=t("intake.and", language).join(f"'{c}'" for c in cols)))
    return out


def _to_datetime(s: pd.Series) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(s.map(lambda v: normalize_text(v) if isinstance(v, str) else v), errors="coerce",
                              utc=True, format="mixed")


def duration_seconds(frame: pd.DataFrame) -> tuple[pd.Series, tuple[str, str]] | None:
    """Seconds from a start to an end timestamp column (``START_END`` pairs), or None without a pair."""
    keys = {header_key(c): c for c in frame.columns}
    for start, end in START_END:
        a, b = keys.get(header_key(start)), keys.get(header_key(end))
        if a is not None and b is not None:
            t0, t1 = _to_datetime(frame[a]), _to_datetime(frame[b])
            if t0.notna().any() and t1.notna().any():
                return (t1 - t0).dt.total_seconds(), (a, b)
    return None


def _unmatched(absent: list, free: list, inst, language: str | None = None) -> str:
    """One line: the first item without a column, its text, and the closest unmapped header."""
    from ..i18n import get_language

    item = absent[0]
    keys = [k for k in (header_key(item.id), *(header_key(v) for v in item.text.values())) if k]
    best = max(((max(difflib.SequenceMatcher(None, header_key(c), k, autojunk=False).ratio() for k in keys), c)
                for c in free), default=None)
    lang = language or get_language()
    hint = t("headers.closest", lang, column=best[1], score=numerals(f"{best[0]:.2f}", lang)) \
        if best and best[0] >= 0.2 else ""
    text = item.text.get(lang) or item.text.get("en") or item.id
    more = f" (+{numerals(len(absent) - 1, lang)})" if len(absent) > 1 else ""
    return t("headers.unmatched", lang, id=item.id, text=text, hint=hint) + more


def apply_instrument(df: pd.DataFrame, inst, language: str | None = None) -> pd.DataFrame:
    """Rename item/field columns to their ids, code answer labels, add the duration (module docstring).
    Messages (the warning naming the renamed columns, errors) are in ``language``.

    The frame's ``attrs["intake"]`` gets ``header_map`` ({column: [id, how, similarity]}),
    ``labels_coded`` ({id: cells}) and ``duration_from`` (the start and end columns) when used.
    """
    info = dict(df.attrs.get("intake", {}))
    col_labels = df.attrs.get("column_labels") or {}
    mapping = match_headers(df.columns, inst, labels=col_labels, language=language)
    renamed = {c: m[0] for c, m in mapping.items() if c != m[0]}
    out = df.rename(columns=renamed)
    out.attrs = dict(df.attrs)
    if renamed:
        made = [f"'{c}' → {mapping[c][0]}"
                + (f" ({numerals(f'{mapping[c][2]:.2f}', language)})" if mapping[c][1] == "fuzzy" else "")
                for c in renamed]
        warnings.warn(t("headers.mapped", language, n=len(made), mappings="; ".join(made)), UserWarning, stacklevel=3)
    absent = [i for i in inst.items if i.id not in out.columns]
    if absent:
        raise DataError(_unmatched(absent, [c for c in df.columns if c not in mapping], inst, language))
    # answer labels -> codes
    coded: dict[str, int] = {}
    for item in inst.items:
        if item.id in out.columns and not pd.api.types.is_numeric_dtype(out[item.id]):
            new, changed = map_likert_labels(out[item.id], likert_label_map(item.scale))
            if changed:
                coded[item.id] = changed
                num = pd.to_numeric(new, errors="coerce")
                out[item.id] = num if num.notna().sum() == new.notna().sum() else new
    for f in inst.respondent_fields:
        if f.choices and f.id in out.columns and not pd.api.types.is_numeric_dtype(out[f.id]):
            keys = {}
            for code, lab in f.choices.items():
                for text in (code, *lab.values()):
                    keys.setdefault(label_key(text), code)
            before = out[f.id].astype(object)
            out[f.id] = before.map(lambda v: keys.get(label_key(v), v) if isinstance(v, str) else v)
            changed = int((before.fillna("") != out[f.id].fillna("")).sum())
            if changed:
                coded[f.id] = changed
    # start / end -> duration of each system field that the file lacks
    system = [f.id for f in inst.respondent_fields if f.system]
    # an instrument without recorded fields (a codebook, a model) gets the column the speeder flag reads
    missing_system = [fid for fid in (system or [DURATION]) if fid not in out.columns]
    if missing_system:
        found = duration_seconds(out)
        if found is not None:
            seconds, pair = found
            for fid in missing_system:
                out[fid] = seconds.round()
            info["duration_from"] = list(pair)
    info["header_map"] = {c: list(m) for c, m in mapping.items()}
    if coded:
        info["labels_coded"] = coded
    out.attrs["intake"] = info
    return out
