"""Response-quality flags: each a pure function returning one explainable boolean Series.

Every flag takes a DataFrame (one row per respondent) and the names of the
columns it looks at, and returns a boolean Series aligned with the frame's
index, named after the flag. ``quality_flags`` runs them all.

Defaults and why
----------------
* ``straightliner`` — long-string index (Johnson 2005): the longest run of
  identical consecutive answers over the rating (Likert) block in
  questionnaire order, skipping unanswered items. Flagged when the run covers
  at least ``min_run`` items; default: half of the rating block (rounded up).
  Attentive respondents break such runs at the latest at a reverse-keyed item.
* ``speeder`` — completion time below ``fraction`` × the median time; default
  0.4 (Greszki, Meyer & Schoen 2015 discuss 30–50 % of the median). Missing
  times are not flagged.
* ``attention_failed`` — the instructed-response item is not the instructed
  value; an unanswered attention item counts as failed (the instruction was
  to choose that answer).
* ``duplicate`` — the same answers to every item and the same respondent
  fields as an earlier row (the first submission is kept). Identifiers,
  timestamps and durations are ignored, as a re-submitted form gets new ones.
* ``too_many_missing`` — more than ``max_share`` (default 0.20, i.e. more than
  one in five) of the rating items unanswered; above that, per-construct
  scores rest on too few items (Newman 2014 advises caution beyond ~20 %).
* ``mahalanobis_outlier`` — D² = (x − m)' S⁻¹ (x − m) on the rating items a
  respondent answered, with m and S from pairwise-complete observations
  (each row uses the sub-matrix of its answered items, df = number of
  answered items); flagged when the chi-square upper tail p < ``p`` (default
  .001; Tabachnick & Fidell 2019). Only flagged, never dropped by default.
  With no more rows than items the covariance matrix is singular and no row
  is flagged.

References: Johnson (2005), J. Research in Personality 39; Meade & Craig
(2012), Psychological Methods 17(3); Curran (2016), J. Exp. Social Psychology 66.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["longstring", "straightliner", "speeder", "attention_failed", "duplicate", "too_many_missing",
           "mahalanobis_distance", "mahalanobis_outlier", "quality_flags", "FLAGS", "DEFAULTS"]

FLAGS = ("straightliner", "speeder", "attention_failed", "duplicate", "too_many_missing", "mahalanobis_outlier")
DEFAULTS = {"speeder_fraction": 0.4, "missing_max": 0.20, "outlier_p": 0.001, "longstring_min": None}


def _numeric(df: pd.DataFrame, columns) -> np.ndarray:
    return df[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def longstring(df: pd.DataFrame, items) -> pd.Series:
    """Longest run of identical consecutive answers per row (unanswered items skipped)."""
    X = _numeric(df, items)
    out = np.zeros(len(X), dtype=int)
    for r, row in enumerate(X):
        vals = row[~np.isnan(row)]
        if vals.size == 0:
            continue
        best = run = 1
        for a, b in zip(vals[:-1], vals[1:]):
            run = run + 1 if a == b else 1
            best = max(best, run)
        out[r] = best
    return pd.Series(out, index=df.index, name="longstring")


def straightliner(df: pd.DataFrame, items, min_run: int | None = None) -> pd.Series:
    """Rows whose long-string index is at least ``min_run`` (default: half the items, rounded up)."""
    items = list(items)
    k = math.ceil(len(items) / 2) if min_run is None else int(min_run)
    return (longstring(df, items) >= max(k, 2)).rename("straightliner")


def speeder(df: pd.DataFrame, duration: str = "duration_sec", fraction: float = 0.4) -> pd.Series:
    """Rows completed in less than ``fraction`` × the median duration."""
    if duration not in df:
        return pd.Series(False, index=df.index, name="speeder")
    t = pd.to_numeric(df[duration], errors="coerce")
    cut = fraction * t.median()
    return (t < cut).fillna(False).astype(bool).rename("speeder")


def attention_failed(df: pd.DataFrame, item: str, expected) -> pd.Series:
    """Rows whose attention-check answer differs from ``expected`` (unanswered = failed)."""
    if item not in df:
        return pd.Series(False, index=df.index, name="attention_failed")
    x = pd.to_numeric(df[item], errors="coerce")
    return (x != float(expected)).fillna(True).astype(bool).rename("attention_failed")


def duplicate(df: pd.DataFrame, columns) -> pd.Series:
    """Rows identical to an earlier row on ``columns`` (answers + respondent fields); first kept."""
    cols = [c for c in columns if c in df]
    if not cols:
        return pd.Series(False, index=df.index, name="duplicate")
    return df[cols].duplicated(keep="first").rename("duplicate")


def too_many_missing(df: pd.DataFrame, items, max_share: float = 0.20) -> pd.Series:
    """Rows with more than ``max_share`` of ``items`` unanswered."""
    X = _numeric(df, items)
    share = np.isnan(X).mean(axis=1) if X.shape[1] else np.zeros(len(X))
    return pd.Series(share > max_share, index=df.index, name="too_many_missing")


def mahalanobis_distance(df: pd.DataFrame, items) -> pd.DataFrame:
    """D², its degrees of freedom (answered items) and chi-square p per row.

    Mean and covariance from pairwise-complete observations; a row with
    missing answers uses the sub-vector and sub-matrix of the items it answered.
    A covariance matrix that is not positive definite is repaired by raising
    its smallest eigenvalues to 1e-6 × the largest.
    """
    X = _numeric(df, items)
    n, k = X.shape
    if n <= k:  # the covariance matrix cannot be estimated: no distances
        return pd.DataFrame({"d2": np.nan, "df": 0, "p": np.nan}, index=df.index)
    mean = np.nanmean(X, axis=0)
    S = pd.DataFrame(X).cov(min_periods=2).to_numpy()
    S = np.where(np.isnan(S), 0.0, S)
    w, V = np.linalg.eigh((S + S.T) / 2)
    w = np.maximum(w, max(w.max(), 1e-12) * 1e-6)
    S = (V * w) @ V.T
    d2 = np.full(n, np.nan)
    dfree = np.zeros(n, dtype=int)
    obs = ~np.isnan(X)
    patterns: dict[bytes, list[int]] = {}
    for r in range(n):
        patterns.setdefault(obs[r].tobytes(), []).append(r)
    for key, rows in patterns.items():
        m = obs[rows[0]]
        if not m.any():
            continue
        D = X[np.ix_(rows, np.flatnonzero(m))] - mean[m]
        inv = np.linalg.inv(S[np.ix_(m, m)])
        d2[rows] = np.einsum("ij,jk,ik->i", D, inv, D)
        dfree[rows] = int(m.sum())
    p = np.where(dfree > 0, stats.chi2.sf(d2, np.maximum(dfree, 1)), np.nan)
    return pd.DataFrame({"d2": d2, "df": dfree, "p": p}, index=df.index)


def mahalanobis_outlier(df: pd.DataFrame, items, p: float = 0.001) -> pd.Series:
    """Rows whose Mahalanobis D² has chi-square p below ``p``."""
    res = mahalanobis_distance(df, items)
    return (res["p"] < p).fillna(False).astype(bool).rename("mahalanobis_outlier")


def quality_flags(df: pd.DataFrame, *, items, answer_columns=None, attention=None, duration="duration_sec",
                  speeder_fraction=0.4, missing_max=0.20, outlier_p=0.001, longstring_min=None) -> pd.DataFrame:
    """All flags as one boolean DataFrame (columns in ``FLAGS`` order) aligned with ``df``.

    Parameters
    ----------
    items : list of str
        Rating (Likert) items in questionnaire order.
    answer_columns : list of str, optional
        Columns compared for duplicates (default: ``items``).
    attention : (item, expected value), optional
    """
    out = pd.DataFrame(index=df.index)
    out["straightliner"] = straightliner(df, items, longstring_min)
    out["speeder"] = speeder(df, duration, speeder_fraction)
    if attention is not None:
        out["attention_failed"] = attention_failed(df, attention[0], attention[1])
    else:
        out["attention_failed"] = False
    out["duplicate"] = duplicate(df, answer_columns if answer_columns is not None else items)
    out["too_many_missing"] = too_many_missing(df, items, missing_max)
    out["mahalanobis_outlier"] = mahalanobis_outlier(df, items, outlier_p)
    return out.astype(bool)
