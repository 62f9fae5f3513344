"""Small helpers shared by the CX analytics modules (numeric input, labels, instrument access).

Column checks are :func:`cem_edu.validation.check_columns`.

Everything here takes plain pandas objects; the instrument is only read through
``getattr`` so the analysis functions work with any object that offers the same
attributes (``items``, ``expectation_pairs``, ``score``) or without one.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import get_language, t, to_ascii_digits
from ..intake import as_frame  # noqa: F401 - re-exported for the cx modules

STAGES = ("awareness", "interest", "decision", "evaluation", "purchase", "repurchase")
CHANNELS = ("branch", "web", "app", "phone", "messaging")
EXPERIENCE_CONSTRUCTS = ("functional", "mechanic", "humanic")


def to_numeric(values, name: str) -> pd.Series:
    """Convert to float, accepting Persian/Arabic digits; text that is not a number -> DataError."""
    s = pd.Series(values) if not isinstance(values, pd.Series) else values
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        s = s.map(lambda v: to_ascii_digits(v.strip()) if isinstance(v, str) else v)
        s = s.replace({"": np.nan})
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & s.notna()
    if bad.any():
        rows = list(s.index[bad][:5])
        raise DataError(t("cx.err.not_numbers", name=str(name), n=int(bad.sum()), rows=", ".join(map(str, rows)),
                          more=" …" if bad.sum() > 5 else "", example=s[bad].iloc[0]))
    return out.astype(float).rename(name)


def row_mean(frame: pd.DataFrame, columns: list[str], min_valid: int = 1) -> pd.Series:
    """Per-respondent mean of ``columns`` (items answered); NaN when fewer than ``min_valid`` answered."""
    block = frame[columns].apply(lambda c: to_numeric(c, c.name))
    mean = block.mean(axis=1, skipna=True)
    mean[block.notna().sum(axis=1) < min_valid] = np.nan
    return mean


def item_ids(inst) -> list[str]:
    items = getattr(inst, "items", None)
    if items is None:
        return []
    if isinstance(items, Mapping):
        return [str(k) for k in items]
    return [str(getattr(it, "id", it)) for it in items]


def item_attr(inst, item_id: str, attr: str, default=None):
    """An attribute (``construct``, ``touchpoint``, ``stage``, ``pairs_with``…) of an instrument item."""
    items = getattr(inst, "items", None)
    if items is None:
        return default
    if isinstance(items, Mapping):
        item = items.get(item_id)
    else:
        item = next((it for it in items if str(getattr(it, "id", None)) == item_id), None)
    if item is None:
        return default
    if isinstance(item, Mapping):
        return item.get(attr, default)
    return getattr(item, attr, default)


def expectation_pairs(inst) -> dict[str, str]:
    """{expectation item: experience item} from ``inst.expectation_pairs`` or the items' ``pairs_with``."""
    pairs = getattr(inst, "expectation_pairs", None)
    if callable(pairs):
        pairs = pairs()
    if isinstance(pairs, Mapping) and pairs:
        return {str(k): str(v) for k, v in pairs.items()}
    out = {}
    for i in item_ids(inst):
        partner = item_attr(inst, i, "pairs_with")
        if partner:
            out[i] = str(partner)
    return out


def scale_range(inst, item_id: str, default: tuple[float, float]) -> tuple[float, float]:
    """(min, max) of an item's response scale, from the instrument when it says so, else ``default``
    (the caller's, e.g. the observed range of the data: no scale length is assumed here)."""
    for lo_name, hi_name in (("scale_min", "scale_max"), ("min", "max"), ("low", "high")):
        lo, hi = item_attr(inst, item_id, lo_name), item_attr(inst, item_id, hi_name)
        if lo is not None and hi is not None:
            return float(lo), float(hi)
    scale = item_attr(inst, item_id, "scale")
    if scale is not None and getattr(scale, "min", None) is not None and getattr(scale, "max", None) is not None:
        return float(scale.min), float(scale.max)
    for cand in (scale, getattr(scale, "points", None) if scale is not None else None):
        if isinstance(cand, (tuple, list)) and len(cand) == 2:
            return float(cand[0]), float(cand[1])
    return default


def label(key: str, value: str | None = None, language: str | None = None) -> str:
    """Display label of a stage, channel, quadrant or column (``cx.<key>.<value>``), falling back to value."""
    full = f"cx.{key}.{value}" if value is not None else f"cx.{key}"
    text = t(full, language=language)
    return str(value) if (text == full and value is not None) else text


#: columns whose values are category names with a display label: column -> string-table sections tried
_VALUE_KEYS = {"construct": ("construct",), "group": ("construct", "stage", "channel"), "quadrant": ("quadrant", "ipma_quadrant"),
               "stage": ("stage",), "channel": ("channel",), "segment": ("segment",), "touchpoint": ("channel",)}


def value_label(column: str, value, language: str | None = None):
    """Display label of one category value of ``column`` (``cx.<section>.<value>``; quadrant names
    such as "At risk" are looked up as ``at_risk`` too; ``curriculum.label.<value>`` is the last
    resort); non-strings and unknown values pass through unchanged."""
    if not isinstance(value, str):
        return value
    for section in _VALUE_KEYS.get(str(column), ()):
        for key in (value, value.lower().replace(" ", "_")):
            full = f"cx.{section}.{key}"
            text = t(full, language=language)
            if text != full:
                return text
    full = f"curriculum.label.{value}"
    text = t(full, language=language)
    return value if text == full else text


def translate_columns(frame: pd.DataFrame, language: str | None = None, values: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` in the current language: column headings (``cx.col.<name>``) and, with
    ``values=True`` and Persian, the category values of the columns a reader sees as words (construct,
    quadrant, stage, channel, segment, group) — so a Persian table never shows «سازه: humanic»."""
    lang = language or get_language()
    out = frame.copy()
    if values and lang == "fa":       # English tables keep the data's own values
        for c in out.columns:
            if str(c) in _VALUE_KEYS and (pd.api.types.is_string_dtype(out[c]) or out[c].dtype == object
                                          or isinstance(out[c].dtype, pd.CategoricalDtype)):
                out[c] = out[c].astype(object).map(lambda v, c=c: value_label(str(c), v, lang))
        if out.index.name in _VALUE_KEYS:
            out.index = out.index.map(lambda v: value_label(out.index.name, v, lang))
    return out.rename(columns=lambda c: label("col", str(c), lang))


def html_table(frame: pd.DataFrame, digits: int = 3) -> str:
    return translate_columns(frame).to_html(float_format=lambda v: f"{v:.{digits}f}", na_rep="—")


def recode_reverse(frame: pd.DataFrame, inst, columns, data=None) -> pd.DataFrame:
    """Numeric copy of ``columns`` with the instrument's reverse-keyed items recoded by ``inst.recode``.

    ``inst.recode`` recodes once (x' = min + max − x on the item's own scale) and skips items
    the frame records as already recoded (``ce.clean`` output, ``cd.data`` or a subset of it).
    Nothing is recoded without an instrument. ``data`` is accepted for older callers; the
    flag is read from ``frame`` (the same frame as ``as_frame(data)``).
    """
    out = pd.DataFrame({c: to_numeric(frame[c], c) for c in dict.fromkeys(columns)}, index=frame.index)
    out.attrs = dict(frame.attrs)
    if inst is None:
        return out
    return inst.recode(out)


def instrument_score(data, inst, kind: str) -> pd.Series | None:
    """Per-respondent experience score (mean of the functional, mechanic and humanic construct scores)
    or expectation score (mean of the expectation items), reverse keys handled by ``inst.score``."""
    frame = as_frame(data)
    by_construct = inst.items_by_construct() if hasattr(inst, "items_by_construct") else {}
    if kind == "experience":
        wanted = [c for c in EXPERIENCE_CONSTRUCTS if by_construct.get(c)]
        if not wanted and hasattr(inst, "constructs_by_role"):
            wanted = [c for c in inst.constructs_by_role("experience") if by_construct.get(c)]
    else:
        wanted = [c for c in (inst.constructs_by_role("expectation") if hasattr(inst, "constructs_by_role")
                              else ["expectation"]) if by_construct.get(c)]
    wanted = [c for c in wanted if all(i in frame.columns for i in by_construct[c])]
    if not wanted:
        return None
    scores = inst.score(data, constructs=wanted)
    return scores.mean(axis=1, skipna=True)
