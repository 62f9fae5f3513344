"""Checks of a response table against an instrument: columns, labels, values.

* Every item of the instrument must be a column of the data. A missing
  column is reported with the closest unknown column name (``difflib``), as
  that is usually a typo or an export's renaming (``FUN_2`` for ``FUN2``).
* Text answers that are response labels of the item's scale ("Strongly
  agree", "کاملاً موافقم", ZWNJ/ی/ک variants included) become their codes.
* Cells that are not numbers, and numbers outside the item's scale (or not
  whole numbers), are errors by default; ``out_of_range="missing"`` sets them
  to missing instead, and the cleaning log lists each column and row.

Rows are spreadsheet rows: header = row 1, first respondent = row 2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import t
from ..validation import missing_columns, pair_suggestions
from ._messages import row_list
from .normalise import likert_label_map, map_likert_labels, to_numeric_column
from .reading import spreadsheet_row

__all__ = ["check_columns", "code_labels", "check_values", "Finding", "item_objects"]

#: columns every survey tool adds and that are not part of any instrument
SYSTEM_COLUMNS = {"id", "respondent_id", "response_id", "submitted_at", "started_at", "timestamp", "created_at",
                  "forecast_spend", "ip", "user_agent", "lang", "language", "submission_id", "received_at", "source"}


@dataclass(frozen=True)
class Finding:
    """One change or problem found by a check: what, which column, which spreadsheet rows."""

    step: str
    column: str
    what: str
    rows: tuple

    @property
    def n(self) -> int:
        return len(self.rows)


def item_objects(inst) -> list:
    """The instrument's items that hold answers (Likert, NPS, attention), form order."""
    return [i for i in inst.items if getattr(i, "kind", "likert") in ("likert", "nps", "attention")]


def check_columns(df: pd.DataFrame, inst, language: str | None = None) -> list[Finding]:
    """Raise DataError for instrument items missing from ``df``; report unknown columns.

    The instrument's version of :func:`cem_edu.validation.check_columns`: a missing item is
    suggested the closest *unknown* column (each one for one item at most), since a column that
    is already an item cannot be the renamed one.

    Returns findings for columns that are neither items, respondent fields nor
    usual system columns (kept, but listed in the log).
    """
    items = [i.id for i in item_objects(inst)]
    fields = [f.id for f in getattr(inst, "respondent_fields", [])]
    known = set(items) | set(fields) | SYSTEM_COLUMNS
    unknown = [c for c in df.columns if c not in known]
    missing = missing_columns(df, items)
    if missing:
        hints = pair_suggestions(missing, unknown)
        if len(missing) == 1:
            c = missing[0]
            hint = t("intake.did_you_mean", language, candidate=hints[c]) if hints[c] else ""
            raise DataError(t("intake.missing_column", language, column=c, hint=hint))
        pairs = [f"'{c}' → '{h}'" for c, h in hints.items() if h]
        hint = t("intake.did_you_mean", language, candidate=", ".join(pairs)).replace("''", "'") if pairs else ""
        shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
        raise DataError(t("intake.missing_columns_many", language, n=len(missing), columns=shown, hint=hint))
    return [Finding("columns", c, t("intake.finding.columns", language), ()) for c in unknown]


def code_labels(df: pd.DataFrame, inst, language: str | None = None) -> tuple[pd.DataFrame, list[Finding]]:
    """Replace response labels by codes in every item column; returns (new frame, findings), whose
    ``what`` is in ``language``."""
    out = df.copy()
    findings = []
    for item in item_objects(inst):
        col = out[item.id]
        if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
            continue
        mapping = likert_label_map(item.scale)
        before = col.map(lambda v: isinstance(v, str))
        new, changed = map_likert_labels(col, mapping)
        if changed:
            rows = tuple(spreadsheet_row(p) for p in np.flatnonzero(before.to_numpy() & new.map(
                lambda v: not isinstance(v, str)).to_numpy()))
            findings.append(Finding("labels", item.id, t("intake.finding.labels", language), rows))
            out[item.id] = new
    return out, findings


def _fmt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def check_values(df: pd.DataFrame, inst, out_of_range: str = "error",
                 language: str | None = None) -> tuple[pd.DataFrame, list[Finding]]:
    """Make item columns numeric and check them against their scales.

    Parameters
    ----------
    out_of_range : "error" (default) raises ``DataError`` naming the column, the
        values and the rows; "missing" sets those cells to NaN and reports them.

    Returns
    -------
    (frame with float64 item columns, findings)
    """
    if out_of_range not in ("error", "missing"):
        raise DataError(t("intake.bad_out_of_range", language, value=out_of_range))
    out = df.copy()
    findings = []
    for item in item_objects(inst):
        lo, hi = int(item.scale.min), int(item.scale.max)
        num, bad = to_numeric_column(out[item.id].astype(object))
        if bad.any():
            pos = np.flatnonzero(bad.to_numpy())
            rows = [spreadsheet_row(p) for p in pos]
            if out_of_range == "error":
                examples = ", ".join(repr(str(v)) for v in pd.unique(out[item.id].iloc[pos])[:3])
                raise DataError(t("intake.not_numeric", language, column=item.id, n=len(rows),
                                  rows=row_list(rows, language=language), examples=examples, lo=lo, hi=hi))
            findings.append(Finding("non_numeric", item.id, t("intake.finding.non_numeric", language), tuple(rows)))
        values = num.to_numpy()
        wrong = ~np.isnan(values) & ((values < lo) | (values > hi) | (np.mod(values, 1) != 0))
        if wrong.any():
            pos = np.flatnonzero(wrong)
            rows = [spreadsheet_row(p) for p in pos]
            if out_of_range == "error":
                vals = sorted(set(values[pos].tolist()))
                shown = row_list([_fmt(v) for v in vals], limit=5, language=language)
                word = t("intake.value_word" if len(vals) == 1 else "intake.values_word", language, v=shown)
                raise DataError(t("intake.out_of_range", language, column=item.id, values=word, n=len(rows),
                                  rows=row_list(rows, language=language), lo=lo, hi=hi))
            values = values.copy()
            values[pos] = np.nan
            findings.append(Finding("out_of_range", item.id, t("intake.finding.out_of_range", language, lo=lo, hi=hi),
                                    tuple(rows)))
        out[item.id] = pd.Series(values, index=out.index, dtype="float64")
    return out, findings
