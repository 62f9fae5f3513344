"""Customer journey map (stage × channel) and the journey funnel.

The course's journey map has the journey stages as columns (awareness → interest →
decision → evaluating alternatives → purchase → repurchase) and the touchpoint channels
as rows. Each cell holds what the customer experienced there, how far that is from the
desired level, how many customers it rests on, and — filled in by the team — which unit
owns the cell and what it will do.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import DataError
from ..i18n import t
from ..results import Result, json_records, output_html
from ..validation import check_columns
from ._common import (CHANNELS, STAGES, as_frame, instrument_score, label, row_mean,
                      to_numeric)

__all__ = ["journey_map", "JourneyMap", "funnel_table", "read_actions", "journey_template", "STAGES", "CHANNELS"]

_ACTION_COLUMNS = ("unit", "action", "impact")


@dataclass(frozen=True, repr=False)
class JourneyMap(Result):
    """Result of :func:`journey_map`.

    ``table`` has one row per stage × channel cell: stage, channel, n, experience (mean score),
    desired (expected or target level), gap (experience − desired; negative = shortfall),
    ci_lower/ci_upper of the mean experience, unit, action, impact (from the actions file).
    """

    table: pd.DataFrame
    stages: tuple
    channels: tuple
    scale: tuple | None = None
    n_excluded: int = 0
    notes: tuple = field(default_factory=tuple)

    def pivot(self, value: str = "gap", translate: bool = False, language: str | None = None) -> pd.DataFrame:
        """The map as a grid: channels as rows, stages as columns, ``value`` in the cells
        (row and column names in ``language`` when ``translate``)."""
        grid = self.table.pivot(index="channel", columns="stage", values=value)
        grid = grid.reindex(index=list(self.channels), columns=list(self.stages))
        if translate:
            grid = grid.rename(index=lambda c: label("channel", c, language=language),
                               columns=lambda s: label("stage", s, language=language))
        return grid

    def worst(self, k: int = 5, min_n: int = 1) -> pd.DataFrame:
        """The ``k`` cells with the largest shortfall (most negative gap) among cells with n ≥ ``min_n``."""
        tab = self.table[(self.table["n"] >= min_n) & self.table["gap"].notna()]
        return tab.sort_values("gap").head(k).reset_index(drop=True)

    def to_excel(self, path) -> Path:
        """Write the long table and the gap grid to an Excel workbook (sheets "cells" and "gap")."""
        path = Path(path)
        with pd.ExcelWriter(path) as xl:
            self.table.to_excel(xl, sheet_name="cells", index=False)
            self.pivot("gap").to_excel(xl, sheet_name="gap")
            self.pivot("n").to_excel(xl, sheet_name="n")
        return path

    def to_dict(self) -> dict:
        return {
            "cells": json_records(self.table),
            "stages": list(self.stages), "channels": list(self.channels), "n_excluded": self.n_excluded,
            "notes": list(self.notes)}

    def __str__(self) -> str:
        parts = [t("cx.journey.title"), self.pivot("gap", translate=True).round(2).to_string()]
        return "\n".join(parts + list(self.notes))

    __repr__ = __str__

    def _repr_html_(self) -> str:
        grid = self.pivot("gap", translate=True)
        return output_html(f"<p><b>{t('cx.journey.title')}</b> — {t('cx.col.gap')}</p>"
                           + grid.to_html(float_format=lambda v: f"{v:.2f}", na_rep="—")
                           + "".join(f"<p>{n}</p>" for n in self.notes))


def _score(data, frame: pd.DataFrame, spec, inst, kind: str) -> pd.Series | None:
    """Per-respondent score from a column name, a list of columns, a Series or the instrument."""
    if spec is None:
        if inst is None:
            return None
        return instrument_score(data, inst, kind)
    if isinstance(spec, pd.Series):
        if len(spec) != len(frame):
            raise DataError(t("cx.err.journey_series_length", kind=kind, n=len(spec), rows=len(frame)))
        return pd.Series(to_numeric(spec, kind).to_numpy(), index=frame.index)
    if isinstance(spec, str):
        check_columns(frame, [spec], what=f"journey_map({kind}=...)")
        return to_numeric(frame[spec], spec)
    cols = list(spec)
    check_columns(frame, cols, what=f"journey_map({kind}=...)")
    return row_mean(frame, cols)


def read_actions(actions) -> pd.DataFrame:
    """Read the journey actions (responsible unit, action, impact per stage × channel cell).

    ``actions`` is a DataFrame, or a path to a YAML file (a list of ``{stage, channel, unit,
    action, impact}`` entries under the key ``cells``, see :func:`journey_template`), a CSV or
    an Excel file with those columns. Returns a DataFrame with stage, channel, unit, action, impact.
    """
    if isinstance(actions, pd.DataFrame):
        frame = actions.copy()
    else:
        path = Path(actions)
        if not path.exists():
            raise DataError(t("cx.err.actions_not_found", path=str(path)))
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = t("cx.err.actions_at_line", line=mark.line + 1) if mark is not None else ""
                raise DataError(t("cx.err.actions_bad_yaml", file=path.name, where=where)) from None
            cells = doc.get("cells", doc) if isinstance(doc, dict) else doc
            if not isinstance(cells, list):
                raise DataError(t("cx.err.actions_not_list", file=path.name))
            frame = pd.DataFrame(cells)
        elif suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif suffix in (".xlsx", ".xls"):
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            raise DataError(t("cx.err.actions_suffix", file=path.name))
    check_columns(frame, ["stage", "channel"], what="actions")
    for col in _ACTION_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    frame = frame[["stage", "channel", *_ACTION_COLUMNS]].copy()
    for col in frame.columns:
        frame[col] = frame[col].fillna("").astype(str).str.strip()
    dup = frame.duplicated(["stage", "channel"], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        raise DataError(t("cx.err.actions_duplicate", stage=first['stage'], channel=first['channel'], n=int(dup.sum())))
    return frame.reset_index(drop=True)


def journey_template(path=None, stages=STAGES, channels=CHANNELS, example: bool = False):
    """A blank journey-actions file to fill in (one entry per stage × channel cell).

    With ``example=True`` the filled bank example shipped with the kit is used instead.
    Writes YAML (or CSV, by the file suffix) when ``path`` is given and returns the path;
    otherwise returns the template as a DataFrame.
    """
    if example:
        src = resources.files("cem_edu.cx") / "templates" / "journey_actions_bank.yaml"
        frame = read_actions(Path(str(src)))
        if path is not None and Path(path).suffix.lower() in (".yaml", ".yml"):
            shutil.copyfile(str(src), path)
            return Path(path)
    else:
        frame = pd.DataFrame([{"stage": s, "channel": c, "unit": "", "action": "", "impact": ""}
                              for s in stages for c in channels])
    if path is None:
        return frame
    path = Path(path)
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False)
    else:
        head = ("# Journey map actions: one entry per stage x channel cell.\n"
                "# unit = who owns the cell, action = what they will do, impact = expected effect on the experience.\n")
        path.write_text(head + yaml.safe_dump({"cells": frame.to_dict(orient="records")}, allow_unicode=True,
                                              sort_keys=False), encoding="utf-8")
    return path


def _check_levels(values: pd.Series, allowed, what: str):
    present = values.dropna().astype(str)
    unknown = sorted(set(present) - set(map(str, allowed)))
    if unknown:
        raise DataError(t("cx.err.journey_levels", column=values.name, what=what, values=", ".join(map(repr, unknown[:6])),
                          allowed=str(list(allowed))))


def journey_map(data, inst=None, stages=STAGES, channels=CHANNELS, actions=None, target=None, *,
                experience=None, expectation=None, stage: str = "stage", channel: str = "channel",
                ci: float = 0.95) -> JourneyMap:
    """The customer journey map: experience, desired level and gap per stage × channel cell.

    Parameters
    ----------
    data : responses (DataFrame or ``ce.clean`` result), one row per respondent, with the
        respondent's journey ``stage`` and the ``channel`` used.
    inst : the instrument; gives the default experience score (mean of the functional,
        mechanic and humanic items) and desired level (mean of the expectation items).
    stages, channels : the journey's columns (in order) and rows.
    actions : DataFrame or path (.yaml/.csv/.xlsx) with stage, channel, unit, action, impact
        (see :func:`journey_template`); joined onto the cells.
    target : a fixed desired level on the experience scale (e.g. 6 on a 1–7 scale); when given it
        replaces the expectation items as the desired level.
    experience, expectation : column name, list of columns (per-respondent mean) or Series that
        override the instrument's defaults.

    Returns
    -------
    JourneyMap with ``.table`` (long) and ``.pivot(value)`` (channel × stage grid).

    Notes
    -----
    For cell (s, c) with respondents R_sc: experience = mean_{i∈R_sc} P_i, desired = mean E_i
    (or ``target``), gap = experience − desired; n = |R_sc|, CI of the mean experience from the
    t distribution. Rows with a missing stage, channel or experience score are excluded and
    counted (``n_excluded``). Cells without respondents keep n = 0 and NaN scores.

    References
    ----------
    Lemon, K. N., & Verhoef, P. C. (2016). Understanding customer experience throughout the
    customer journey. Journal of Marketing 80(6), 69–96.
    Meyer, C., & Schwager, A. (2007). Understanding customer experience. Harvard Business Review 85(2).
    """
    from scipy import stats

    frame = as_frame(data)
    check_columns(frame, [stage, channel], what="journey_map")
    stages, channels = tuple(stages), tuple(channels)
    notes = []
    off_map = pd.Series(False, index=frame.index)
    for col, allowed, what in ((stage, stages, "stage"), (channel, channels, "channel")):
        vals = frame[col].astype("string")
        outside = vals.notna() & ~vals.isin([str(a) for a in allowed])
        if outside.all() and len(frame):
            _check_levels(frame[col], allowed, what)  # nothing matches: a wrong list, say so
        if outside.any():
            shown = ", ".join(map(repr, sorted(vals[outside].unique())[:6]))
            notes.append(t("cx.journey.off_map", k=int(outside.sum()), column=col, values=shown))
        off_map |= outside
    p = _score(data, frame, experience, inst, "experience")
    if p is None:
        raise DataError(t("cx.err.journey_no_experience"))
    e = None if target is not None else _score(data, frame, expectation, inst, "expectation")
    if target is None and e is None:
        notes.append(t("cx.journey.no_desired"))
    work = pd.DataFrame({"stage": frame[stage].astype("string"), "channel": frame[channel].astype("string"),
                         "p": p, "e": e if e is not None else np.nan})
    excluded = work["stage"].isna() | work["channel"].isna() | work["p"].isna() | off_map
    if excluded.any():
        notes.append(t("cx.journey.excluded", k=int(excluded.sum())))
    work = work[~excluded]
    rows = []
    for s in stages:
        for c in channels:
            cell = work[(work["stage"] == s) & (work["channel"] == c)]
            n = len(cell)
            mean = cell["p"].mean() if n else np.nan
            if n >= 2:
                half = stats.t.ppf(0.5 + ci / 2, n - 1) * cell["p"].std(ddof=1) / np.sqrt(n)
            else:
                half = np.nan
            desired = float(target) if target is not None else (cell["e"].mean() if n else np.nan)
            rows.append({"stage": s, "channel": c, "n": n, "experience": mean, "ci_lower": mean - half,
                         "ci_upper": mean + half, "desired": desired, "gap": mean - desired})
    table = pd.DataFrame(rows)
    if actions is not None:
        acts = read_actions(actions)
        unknown = acts[~acts["stage"].isin(stages) | ~acts["channel"].isin(channels)]
        if len(unknown):
            r = unknown.iloc[0]
            raise DataError(t("cx.err.actions_off_map", stage=r['stage'], channel=r['channel'], stages=str(list(stages)),
                              channels=str(list(channels))))
        table = table.merge(acts, on=["stage", "channel"], how="left")
    for col in _ACTION_COLUMNS:
        if col not in table.columns:
            table[col] = ""
        table[col] = table[col].fillna("")
    return JourneyMap(table=table, stages=stages, channels=channels, n_excluded=int(excluded.sum()),
                      notes=tuple(notes))


def funnel_table(data, stage: str = "stage", stages=STAGES) -> pd.DataFrame:
    """How many respondents reached each journey stage (the purchase funnel).

    A respondent whose furthest stage is k has passed through stages 1…k, so
    reached(s) = #{i : stage_i ≥ s}. Returns stage, n_at_stage, reached, pct_reached
    (of all respondents with a stage), conversion (reached(s) / reached(s−1)).
    Respondents without a stage are excluded (``attrs["n_missing"]``).
    """
    if isinstance(data, pd.Series):
        values = data.rename(data.name or stage)
    else:
        frame = as_frame(data)
        check_columns(frame, [stage], what="funnel")
        values = frame[stage]
    _check_levels(values, stages, "stage")
    valid = values.dropna().astype(str)
    counts = valid.value_counts().reindex(list(stages), fill_value=0).astype(int)
    reached = counts[::-1].cumsum()[::-1]
    total = int(reached.iloc[0]) if len(reached) else 0
    out = pd.DataFrame({"stage": list(stages), "n_at_stage": counts.to_numpy(), "reached": reached.to_numpy()})
    out["pct_reached"] = 100 * out["reached"] / total if total else np.nan
    prev = out["reached"].shift(1)
    out["conversion"] = np.where(prev > 0, out["reached"] / prev, np.nan)
    out.loc[0, "conversion"] = np.nan
    out.attrs["n_missing"] = int(values.isna().sum())
    return out
