"""Persian/Arabic text normalisation and Likert label -> code mapping.

Survey exports written on Persian keyboards (or by Arabic-locale software) mix
several code points for what a reader sees as the same text:

* digits: Persian ``۰–۹`` (U+06F0–U+06F9) and Arabic-Indic ``٠–٩`` (U+0660–U+0669) -> ASCII ``0–9``;
* the Arabic decimal separator ``٫`` (U+066B) between digits -> ``.``;
* the Arabic thousands separator ``٬`` (U+066C) is removed only from a *regular
  grouping*: a run of digits and ``٬`` that reads 1–3 digits, then groups of
  exactly three (``۱٬۲۵۰٬۰۰۰`` -> ``1250000``) and that does not follow a ``.``
  (a fraction: ``1.234٬567`` keeps its ``٬``). An irregular grouping
  (``1٬1٬111``, ``12٬34``) is not read as a number: it is left exactly as it is
  (digits converted), so that :func:`cem_edu.intake.numbers.parse_number` and the
  range checks reject it with a message instead of guessing 11111 or 1234.
  The whole run is judged at once, so one pass reaches the fixed point
  (``normalize_text(normalize_text(s)) == normalize_text(s)``);
* Arabic yeh ``ي`` (U+064A) and alef maksura ``ى`` (U+0649) -> Persian yeh ``ی`` (U+06CC);
  Arabic kaf ``ك`` (U+0643) -> Persian keheh ``ک`` (U+06A9);
* tatweel ``ـ`` (U+0640, a stretching stroke) is removed;
* zero-width characters: the zero-width non-joiner (ZWNJ, U+200C) is the one
  Persian needs ("می‌خواهم"); its look-alikes (zero-width space U+200B, soft
  hyphen U+00AD, byte-order mark U+FEFF) become ZWNJ, directional marks
  (U+200E, U+200F, U+061C) are removed, repeated ZWNJs collapse to one, and a
  ZWNJ next to a space or at either end is dropped;
* spaces: no-break and thin spaces become ordinary spaces, runs collapse to
  one, and the ends (white space and ZWNJ) are stripped.

ASCII text without surrounding or repeated spaces is never changed (a property
test checks this for number strings).

Reference: Persian orthography of the Academy of Persian Language and
Literature (دستور خط فارسی, 2003), for ی/ک and the ZWNJ.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .numbers import parse_number

__all__ = ["normalize_text", "normalize_digits", "label_key", "likert_label_map", "map_likert_labels",
           "to_numeric_column"]

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0640": None,
                          "\u200e": None, "\u200f": None, "\u061c": None, "\u202a": None, "\u202b": None,
                          "\u202c": None, "\u202d": None, "\u202e": None, "\u2066": None, "\u2067": None,
                          "\u2068": None, "\u2069": None,
                          "\u200b": "\u200c", "\u00ad": "\u200c", "\ufeff": "\u200c", "\u200d": "\u200c"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZWNJ_RUNS = re.compile("\u200c{2,}")
_ZWNJ_SPACE = re.compile("[ \u200c]*\u200c[ \u200c]*")  # a run of spaces and ZWNJs with at least one ZWNJ
_DECIMAL = re.compile(r"(?<=\d)\u066b(?=\d)")
_DIGIT_RUN = re.compile(r"(?<![\d.\u066c])\d+(?:\u066c\d+)+")  # a whole run of digits grouped by ٬
_REGULAR_GROUPS = re.compile(r"\d{1,3}(?:\u066c\d{3})+")
_ENDS = re.compile(r"^[\s\u200c]+|[\s\u200c]+$")
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")  # diacritics (tanwin, fatha, ...)


def _ungroup(m: re.Match) -> str:
    run = m.group(0)
    if _REGULAR_GROUPS.fullmatch(run):
        return run.replace("\u066c", "")
    return run  # irregular grouping: left for the number parser to reject


def normalize_digits(text: str) -> str:
    """Persian/Arabic-Indic digits -> ASCII, ``٫`` -> ``.`` between digits, ``٬`` removed from regular groups.

    A run such as ``۱٬۲۵۰٬۰۰۰`` (1–3 digits, then groups of three) loses its
    separators; an irregular run (``1٬1٬111``) keeps them all, so it is never
    half-converted and a second call changes nothing.

    >>> normalize_digits("۳٫۵")
    '3.5'
    >>> normalize_digits("۱٬۲۵۰٬۰۰۰")
    '1250000'
    >>> normalize_digits("1٬1٬111")
    '1٬1٬111'
    """
    if not isinstance(text, str):
        return text
    if text.isascii():
        return text
    out = text.translate(_DIGITS)
    out = _DECIMAL.sub(".", out)
    return _DIGIT_RUN.sub(_ungroup, out)


def normalize_text(text):
    """Normalise one Persian/Arabic/English text cell (see the module docstring for every rule).

    Parameters
    ----------
    text : str or any
        Non-strings (numbers, None, NaN) are returned unchanged.

    Returns
    -------
    str or the input unchanged.

    Examples
    --------
    >>> normalize_text("كاملاً  موافقم ")
    'کاملاً موافقم'
    >>> normalize_text("۱۲٫۵")
    '12.5'
    """
    if not isinstance(text, str):
        return text
    if text.isascii():
        if "  " not in text and "\t" not in text and text == text.strip():
            return text
        return _SPACES.sub(" ", text).strip()
    out = normalize_digits(text.translate(_LETTERS))  # letters first: a removed tatweel can join digits
    out = _SPACES.sub(" ", out)
    out = _ZWNJ_RUNS.sub("\u200c", out)
    out = _ZWNJ_SPACE.sub(lambda m: " " if " " in m.group(0) else "\u200c", out)
    return _ENDS.sub("", out)


def label_key(text) -> str:
    """A matching key for a response label: normalised, lower case, without diacritics, spaces or ZWNJ.

    "کاملاً موافقم", "كاملا موافقم" and "کاملا‌موافقم" share one key, as do
    "Strongly agree" and "strongly  agree".
    """
    if not isinstance(text, str):
        text = str(text)
    out = normalize_text(text)
    out = unicodedata.normalize("NFC", out)
    out = _HARAKAT.sub("", out)
    out = out.replace("\u0622", "\u0627")  # آ -> ا
    out = re.sub(r"[\s\u200c\-_.]+", "", out)
    return out.casefold()


def likert_label_map(scale) -> dict[str, int]:
    """{label key: code} from a scale with ``min``, ``max`` and ``labels`` {"fa": [...], "en": [...]}.

    Labels are listed from ``min`` to ``max``; a list with only two labels is
    read as the two end points.
    """
    lo, hi = int(scale.min), int(scale.max)
    labels = getattr(scale, "labels", None) or {}
    out: dict[str, int] = {}
    for texts in labels.values():
        texts = list(texts or [])
        if not texts:
            continue
        if len(texts) == hi - lo + 1:
            codes = range(lo, hi + 1)
        elif len(texts) == 2:
            codes = (lo, hi)
        else:
            continue
        for code, label in zip(codes, texts):
            if label:
                out.setdefault(label_key(label), code)
    return out


def to_numeric_column(values: pd.Series, *, decimal: str = "auto") -> tuple[pd.Series, pd.Series]:
    """Convert a column of cells to numbers with :func:`cem_edu.intake.numbers.parse_number`.

    Returns ``(numbers, bad)``: ``numbers`` is float64 (NaN for empty cells and
    cells that are not numbers), ``bad`` a boolean mask of non-empty cells that
    are not numbers (including ``1_000``, ``1e308``, ``inf``, an irregular or
    ambiguous grouping such as ``1٬1٬111`` or ``1,500``). ``decimal`` as in
    ``parse_number``.
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        num = values.astype("float64")
        bad = pd.Series(np.isinf(num.to_numpy()), index=values.index)
        return num.where(~bad), bad

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return np.nan, False
        if isinstance(v, str) and normalize_text(v) in _MISSING_TOKENS:
            return np.nan, False
        try:
            return parse_number(v, decimal=decimal), False
        except ValueError:
            return np.nan, True

    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    pairs = [one(v) for v in uniques]
    u_num = np.array([p[0] for p in pairs] + [np.nan], dtype="float64")
    u_bad = np.array([p[1] for p in pairs] + [False], dtype=bool)
    return (pd.Series(u_num[codes], index=values.index, dtype="float64"),
            pd.Series(u_bad[codes], index=values.index, dtype=bool))


_MISSING_TOKENS = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-", ".", "#N/A"}


def map_likert_labels(column: pd.Series, mapping: dict[str, int]) -> tuple[pd.Series, int]:
    """Replace label cells (e.g. "Strongly agree") by their codes; returns (column, cells changed)."""
    changed = 0

    def one(v):
        nonlocal changed
        if isinstance(v, str):
            code = mapping.get(label_key(v))
            if code is not None:
                changed += 1
                return code
        return v

    out = column.map(one)
    return out, changed

