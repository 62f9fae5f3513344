"""Net Promoter Score with confidence intervals, per segment, and tests of the difference.

NPS = 100 · (p₊ − p₋), with p₊ the share of promoters (9–10) and p₋ the share of
detractors (0–6) on the 0–10 "how likely are you to recommend us" item
(Reichheld 2003). Passives (7–8) count in n but in neither share.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ..i18n import format_number, numerals, t
from ..results import Result, json_safe, output_html
from ..validation import check_columns
from ._common import as_frame, html_table, to_numeric

__all__ = ["nps", "NPSResult", "nps_class"]

_CLASSES = ("detractors", "passives", "promoters")


def nps_class(scores) -> pd.Series:
    """Class of each 0–10 score: "detractor" (0–6), "passive" (7–8), "promoter" (9–10); NaN stays NaN."""
    s = pd.Series(scores, dtype=float)
    out = pd.Series(pd.NA, index=s.index, dtype="object")
    out[s <= 6] = "detractor"
    out[(s >= 7) & (s <= 8)] = "passive"
    out[s >= 9] = "promoter"
    return out


@dataclass(frozen=True, repr=False)
class NPSResult(Result):
    """Result of :func:`nps`.

    Attributes
    ----------
    nps, se, ci_lower, ci_upper : overall NPS (−100…100), its standard error and CI.
    n, n_missing : answers used and answers missing (excluded).
    table : one row per segment (and ``"overall"`` last): n, n_missing, promoters, passives,
        detractors, pct_promoters, pct_passives, pct_detractors, nps, se, ci_lower, ci_upper.
    comparisons : pairwise two-sample z tests of the NPS difference between segments.
    chi2 : chi-square test of independence of the segment × class table
        (``statistic``, ``df``, ``pvalue``) or None with a single segment.
    """

    nps: float
    se: float
    ci_lower: float
    ci_upper: float
    n: int
    n_missing: int
    table: pd.DataFrame
    comparisons: pd.DataFrame
    chi2: dict | None
    ci: float = 0.95
    method: str = "wald"
    by: str | None = None
    notes: tuple = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return json_safe({
            "nps": self.nps, "se": self.se, "ci_lower": self.ci_lower, "ci_upper": self.ci_upper,
            "n": self.n, "n_missing": self.n_missing, "ci": self.ci, "method": self.method, "by": self.by,
            "table": self.table.reset_index().to_dict(orient="records"),
            "comparisons": self.comparisons.to_dict(orient="records"),
            "chi2": self.chi2, "notes": list(self.notes),
        })

    def __str__(self) -> str:
        head = t("cx.nps.summary", nps=format_number(self.nps, 1), lo=format_number(self.ci_lower, 1),
                 hi=format_number(self.ci_upper, 1),
                 level=format_number(100 * self.ci, 0), n=self.n, missing=self.n_missing)
        parts = [head, self.table.round(3).to_string()]
        if self.chi2 is not None:
            parts.append(t("cx.nps.chi2", stat=format_number(self.chi2['statistic'], 2), df=self.chi2["df"],
                           p=format_number(self.chi2['pvalue'], 4)))
        if len(self.comparisons):
            parts.append(self.comparisons.round(4).to_string(index=False))
        parts += list(self.notes)
        return "\n".join(parts)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = t("cx.nps.summary", nps=format_number(self.nps, 1), lo=format_number(self.ci_lower, 1),
                 hi=format_number(self.ci_upper, 1),
                 level=format_number(100 * self.ci, 0), n=self.n, missing=self.n_missing)
        html = f"<p><b>{head}</b></p>" + html_table(self.table, 2)
        if self.chi2 is not None:
            html += "<p>" + t("cx.nps.chi2", stat=format_number(self.chi2['statistic'], 2), df=self.chi2["df"],
                              p=format_number(self.chi2['pvalue'], 4)) + "</p>"
        if len(self.comparisons):
            html += html_table(self.comparisons, 4)
        return output_html(html)


def _validate(scores: pd.Series, name: str) -> pd.Series:
    s = to_numeric(scores, name)
    valid = s.dropna()
    bad = valid[(valid < 0) | (valid > 10) | (valid != np.round(valid))]
    if len(bad):
        rows = ", ".join(map(str, list(bad.index[:5]))) + (" …" if len(bad) > 5 else "")
        raise DataError(t("cx.err.nps_out_of_scale", name=name, n=len(bad), rows=rows,
                          example=numerals(f"{bad.iloc[0]:g}")))
    return s


def _one(scores: np.ndarray, z: float, method: str, ci: float, rng, n_boot: int) -> dict:
    n = len(scores)
    pro = int(np.sum(scores >= 9))
    det = int(np.sum(scores <= 6))
    pas = n - pro - det
    if n == 0:
        nan = float("nan")
        return dict(n=0, promoters=0, passives=0, detractors=0, pct_promoters=nan, pct_passives=nan,
                    pct_detractors=nan, nps=nan, se=nan, ci_lower=nan, ci_upper=nan)
    p_pro, p_det = pro / n, det / n
    value = 100 * (p_pro - p_det)
    var = (p_pro + p_det - (p_pro - p_det) ** 2) / n
    se = 100 * np.sqrt(max(var, 0.0))
    if method == "wald":
        lo, hi = value - z * se, value + z * se
    else:
        cls = np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0))
        boots = 100 * cls[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
        alpha = 1 - ci
        lo, hi = np.quantile(boots, [alpha / 2, 1 - alpha / 2])
    return dict(n=n, promoters=pro, passives=pas, detractors=det, pct_promoters=100 * p_pro,
                pct_passives=100 * pas / n, pct_detractors=100 * p_det, nps=value, se=se,
                ci_lower=float(max(lo, -100.0)), ci_upper=float(min(hi, 100.0)))


def nps(scores, by=None, ci: float = 0.95, method: str = "wald", seed=None, *,
        column: str = "NPS", n_boot: int = 2000) -> NPSResult:
    """Net Promoter Score with a confidence interval, per segment, and tests between segments.

    Parameters
    ----------
    scores : Series / array of 0–10 answers, or a DataFrame (then ``column`` names the NPS item).
    by : optional segment labels (Series/array aligned with ``scores``) or, when ``scores`` is a
        DataFrame, the name of its segment column. Rows with a missing segment are excluded.
    ci : confidence level of the intervals (default 0.95).
    method : ``"wald"`` (multinomial variance, below) or ``"bootstrap"`` (percentile interval
        from ``n_boot`` resamples within each segment; needs ``seed`` for reproducible numbers).
    seed : seed of the bootstrap random generator.

    Returns
    -------
    NPSResult with ``.nps``, ``.table``, ``.comparisons`` and ``.chi2``.

    Notes
    -----
    With p₊ the share of promoters (9–10), p₋ of detractors (0–6) among the n answers::

        NPS = 100 (p₊ − p₋)
        Var(p₊ − p₋) = (p₊ + p₋ − (p₊ − p₋)²) / n        (multinomial; delta method)
        SE = 100 √Var,   CI = NPS ± z₁₋α/₂ · SE  (clipped to −100…100)

    Two segments a, b are compared by z = (NPS_a − NPS_b) / √(SE_a² + SE_b²) (independent
    samples, two-sided p), and all segments together by Pearson's chi-square test of the
    segment × {detractor, passive, promoter} table (classes empty in every segment are dropped).
    Missing answers are excluded and counted (``n_missing``); values outside 0–10 or not whole
    numbers raise :class:`~cem_edu.errors.DataError`. When every answer is in one class the Wald
    SE is 0 and the interval has zero width; use ``method="bootstrap"`` only as a check — with
    very small n neither interval is trustworthy.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12), 46–54.
    Rocks, B. (2016). Margin of error for the Net Promoter Score (multinomial variance).

    Examples
    --------
    >>> import cem_edu as ce
    >>> r = ce.nps([10, 9, 8, 7, 6, 0, 10, 9])
    >>> round(r.nps, 1)
    25.0
    """
    if method not in ("wald", "bootstrap"):
        raise DataError(t("cx.err.nps_method", method=method))
    if not 0 < ci < 1:
        raise DataError(t("cx.err.nps_ci", ci=ci))
    by_name = None
    if isinstance(scores, pd.DataFrame) or isinstance(getattr(scores, "data", None), pd.DataFrame):
        frame = as_frame(scores)
        check_columns(frame, [column], what="nps")
        if isinstance(by, str):
            check_columns(frame, [by], what="nps(by=...)")
            by_name = by
            by = frame[by]
        name = column
        scores = frame[column]
    else:
        name = getattr(scores, "name", None) or column
        scores = scores if isinstance(scores, pd.Series) else pd.Series(np.asarray(scores, dtype=object))
    s = _validate(scores, str(name))
    if by is not None:
        g = by if isinstance(by, pd.Series) else pd.Series(np.asarray(by, dtype=object))
        if len(g) != len(s):
            raise DataError(t("cx.err.nps_by_length", n=len(g), k=len(s)))
        g = g.set_axis(s.index)  # aligned by position
        by_name = by_name or (str(g.name) if g.name is not None else "segment")
    rng = np.random.default_rng(seed)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    rows, notes = {}, []
    if by is not None:
        no_group = g.isna()
        if no_group.any():
            notes.append(t("cx.nps.no_segment", k=int(no_group.sum())))
        levels = [lv for lv in pd.unique(g[~no_group])]
        try:
            levels = sorted(levels)
        except TypeError:
            pass
        for lv in levels:
            part = s[g == lv]
            row = _one(part.dropna().to_numpy(), z, method, ci, rng, n_boot)
            row["n_missing"] = int(part.isna().sum())
            rows[str(lv)] = row
    overall = _one(s.dropna().to_numpy(), z, method, ci, rng, n_boot)
    overall["n_missing"] = int(s.isna().sum())
    rows["overall"] = overall
    cols = ["n", "n_missing", "promoters", "passives", "detractors", "pct_promoters", "pct_passives",
            "pct_detractors", "nps", "se", "ci_lower", "ci_upper"]
    table = pd.DataFrame.from_dict(rows, orient="index")[cols]
    table.index.name = by_name or "segment"
    if overall["n_missing"]:
        notes.append(t("cx.nps.missing_note", k=overall["n_missing"]))
    comparisons, chi2 = _tests(table.drop(index="overall") if by is not None else table.iloc[:0])
    if overall["n"] == 0:
        raise DataError(t("cx.err.nps_no_answers", name=str(name), n=len(s)))
    return NPSResult(nps=overall["nps"], se=overall["se"], ci_lower=overall["ci_lower"], ci_upper=overall["ci_upper"],
                     n=overall["n"], n_missing=overall["n_missing"], table=table, comparisons=comparisons,
                     chi2=chi2, ci=ci, method=method, by=by_name, notes=tuple(notes))


def _tests(seg: pd.DataFrame):
    cols = ["segment_a", "segment_b", "nps_a", "nps_b", "difference", "se", "z", "pvalue"]
    seg = seg[seg["n"] > 0]
    out = []
    for a, b in combinations(seg.index, 2):
        ra, rb = seg.loc[a], seg.loc[b]
        diff = ra["nps"] - rb["nps"]
        se = float(np.hypot(ra["se"], rb["se"]))
        zval = diff / se if se > 0 else (0.0 if diff == 0 else np.copysign(np.inf, diff))
        p = float(2 * stats.norm.sf(abs(zval)))
        out.append([a, b, ra["nps"], rb["nps"], diff, se, zval, p])
    comparisons = pd.DataFrame(out, columns=cols)
    chi2 = None
    if len(seg) >= 2:
        counts = seg[["detractors", "passives", "promoters"]].to_numpy(dtype=float)
        counts = counts[:, counts.sum(axis=0) > 0]
        if counts.shape[1] >= 2:
            res = stats.chi2_contingency(counts, correction=False)
            chi2 = {"statistic": float(res.statistic), "df": int(res.dof), "pvalue": float(res.pvalue),
                    "min_expected": float(res.expected_freq.min())}
        else:
            chi2 = {"statistic": 0.0, "df": 0, "pvalue": 1.0, "min_expected": float("nan")}
    return comparisons, chi2
