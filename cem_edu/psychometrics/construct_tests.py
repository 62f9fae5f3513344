"""Tests on construct scores for the descriptive chapter of a thesis.

* ``one_sample_t(data, spec)`` — each construct's mean score against the midpoint of its answer scale
  (mean, SD, t, df, p, CI of the mean, Cohen's d), as R's ``t.test(x, mu = midpoint)``.
* ``friedman(data, spec)`` — do the constructs (e.g. the experience dimensions) differ in level?
  Friedman's χ² as R's ``friedman.test``, Kendall's W, mean ranks and Holm-adjusted pairwise Wilcoxon
  signed-rank tests (R's ``pairwise.wilcox.test(paired = TRUE)``).
* ``correlation_table(data, spec)`` — the APA correlation table of construct scores: M, SD and Pearson
  correlations with significance stars (``cor.test``).

Construct scores are item means (:func:`~cem_edu.psychometrics.constructs.construct_scores`); pingouin
(a dependency of the kit) computes t, Cohen's d and Friedman's test, checked against R.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ..i18n import get_language, t, to_persian_digits, verbatim
from ..intake import as_frame
from ..results import json_frame, json_safe
from ._tables import TableResult
from .constructs import _is_instrument, construct_scores, resolve_spec
from .factor import _p_text

__all__ = ["one_sample_t", "friedman", "correlation_table", "OneSampleResult", "FriedmanResult",
           "CorrelationTable"]


def _scores(data, spec, scores, language=None):
    if scores is not None:
        return pd.DataFrame(scores)
    df = as_frame(data)
    return construct_scores(df, resolve_spec(spec, df, language=language), language=language)


# ------------------------------------------------------------------------------ one-sample t
@dataclass(frozen=True)
class OneSampleResult(TableResult):
    """``table``: per construct n, mean, sd, midpoint, t, df, p, ci_lower, ci_upper (of the mean), cohen_d."""

    table: pd.DataFrame
    level: float

    def to_dict(self) -> dict:
        return {"level": self.level, "constructs": json_frame(self.table)}

    def _title(self) -> str:
        return t("ct.t_title", self.language, level=round(100 * self.level))

    def _table(self) -> pd.DataFrame:
        return self.table

    def _notes(self) -> list[str]:
        return [t("ct.t_note", self.language)]


def one_sample_t(data, spec=None, *, midpoint: float | dict | None = None, level: float = 0.95,
                 scores: pd.DataFrame | None = None, language: str | None = None) -> OneSampleResult:
    """One-sample t-test of each construct's mean score against the scale midpoint.

        t = (x̄ − μ₀) / (s/√n),  df = n − 1,  CI = x̄ ± t_{(1+level)/2, df}·s/√n,  d = (x̄ − μ₀)/s

    Parameters
    ----------
    data, spec : the answers and which items form which construct (an Instrument gives each
        construct's answer scale, hence its midpoint (min + max)/2).
    midpoint : a number for every construct, or {construct: number}; required unless ``spec`` is an
        Instrument.
    level : confidence level of the interval for the mean (R's ``t.test`` conf.int).
    scores : construct scores to use instead of item means.

    References
    ----------
    Student (1908). Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.).
    Vallat, R. (2018). Pingouin: statistics in Python. JOSS 3(31), 1026.
    """
    import pingouin as pg  # noqa: PLC0415

    lang = language or get_language()
    sc = _scores(data, spec, scores, lang)
    mids = {}
    for k in sc.columns:
        if isinstance(midpoint, dict):
            if k not in midpoint:
                raise DataError(t("ct.no_midpoint_for", lang, construct=verbatim(k)))
            mids[k] = float(midpoint[k])
        elif midpoint is not None:
            mids[k] = float(midpoint)
        elif _is_instrument(spec):
            items = resolve_spec(spec, as_frame(data), language=lang)[k]
            bounds = {(spec.item(i).scale.min, spec.item(i).scale.max) for i in items}
            if len(bounds) != 1:
                raise DataError(t("ct.mixed_scales", lang, construct=verbatim(k)))
            lo, hi = bounds.pop()
            mids[k] = (float(lo) + float(hi)) / 2
        else:
            raise DataError(t("ct.no_midpoint", lang))
    rows = {}
    for k in sc.columns:
        x = sc[k].dropna().to_numpy(dtype=float)
        n = x.size
        if n < 2 or np.std(x) == 0:
            raise DataError(t("ct.too_few", lang, construct=verbatim(k), n=n))
        res = pg.ttest(x, mids[k], confidence=level)
        m, s = float(x.mean()), float(x.std(ddof=1))
        half = stats.t.ppf((1 + level) / 2, n - 1) * s / np.sqrt(n)
        rows[k] = {"n": n, "mean": m, "sd": s, "midpoint": mids[k], "t": float(res["T"].iloc[0]),
                   "df": int(n - 1), "p": float(res["p_val"].iloc[0] if "p_val" in res else res["p-val"].iloc[0]),
                   "ci_lower": m - half, "ci_upper": m + half, "cohen_d": float((m - mids[k]) / s)}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "construct"
    return OneSampleResult(table=table, level=float(level), language=lang)


# ---------------------------------------------------------------------------------- Friedman
@dataclass(frozen=True)
class FriedmanResult(TableResult):
    """Friedman's test (``chisq``, ``df``, ``p``, ``kendall_w``, ``n``), ``mean_ranks`` (Series, sorted)
    and ``posthoc`` (DataFrame: a, b, n, V, p, p_holm)."""

    chisq: float
    df: int
    p: float
    kendall_w: float
    n: int
    mean_ranks: pd.Series
    posthoc: pd.DataFrame

    def to_dict(self) -> dict:
        return {"chisq": self.chisq, "df": self.df, "p": self.p, "kendall_w": self.kendall_w, "n": self.n,
                "mean_ranks": {k: json_safe(v) for k, v in self.mean_ranks.items()},
                "posthoc": [{k: json_safe(v) for k, v in r.items()} for r in self.posthoc.to_dict("records")]}

    def _title(self) -> str:
        return t("ct.friedman_title", self.language, chisq=round(self.chisq, 2), df=self.df,
                 p=_p_text(self.p, self.language), w=round(self.kendall_w, 3), n=self.n)

    def _table(self) -> pd.DataFrame:
        return self.mean_ranks.to_frame(t("ct.mean_rank", self.language))

    def _notes(self) -> list[str]:
        post = self.posthoc.round(4).to_string(index=False)
        return [t("ct.posthoc", self.language), post]


def friedman(data, spec=None, *, scores: pd.DataFrame | None = None, language: str | None = None) -> FriedmanResult:
    """Friedman's rank test that k constructs have the same level, with Kendall's W and post-hoc tests.

    Each respondent's k construct scores are ranked (ties get mean ranks); with R_j the rank sums over
    n respondents (rows with every score) and t the sizes of tied groups within rows,

        χ²_F = [12/(nk(k + 1)) Σ R_j² − 3n(k + 1)] / [1 − Σ(t³ − t)/(nk(k² − 1))],  df = k − 1
        W = χ²_F / (n(k − 1))      (Kendall's coefficient of concordance, 0 … 1)

    as R's ``friedman.test`` (pingouin's ``friedman``). Post hoc: Wilcoxon signed-rank tests of every
    pair (zero differences dropped, normal approximation with continuity and tie correction, the exact
    test where R uses it: n < 50 without ties or zeros), Holm-adjusted, as
    ``pairwise.wilcox.test(paired = TRUE, p.adjust.method = "holm")``.

    References
    ----------
    Friedman, M. (1937). JASA 32, 675–701. Kendall, M. G., & Babington Smith, B. (1939). Annals of
    Mathematical Statistics 10, 275–287. Holm, S. (1979). Scandinavian Journal of Statistics 6, 65–70.
    """
    import pingouin as pg  # noqa: PLC0415

    lang = language or get_language()
    sc = _scores(data, spec, scores, lang).dropna()
    n, k = sc.shape
    if k < 2:
        raise DataError(t("ct.friedman_k", lang, k=k))
    if n < 2:
        raise DataError(t("ct.friedman_n", lang, n=n))
    long = sc.reset_index(drop=True).rename_axis("subject").reset_index().melt(
        id_vars="subject", var_name="construct", value_name="score")
    res = pg.friedman(data=long, dv="score", within="construct", subject="subject")
    chisq = float(res["Q"].iloc[0])
    p = float(res["p_unc"].iloc[0] if "p_unc" in res else res["p-unc"].iloc[0])
    ranks = sc.rank(axis=1).mean().sort_values(ascending=False)
    rows = []
    cols = list(sc.columns)
    for i in range(k):
        for j in range(i + 1, k):
            d = (sc[cols[i]] - sc[cols[j]]).to_numpy()
            d = d[d != 0]
            ties = len(np.unique(np.abs(d))) < d.size
            exact = d.size < 50 and not ties and d.size == n
            if d.size == 0:
                v, pv = 0.0, 1.0
            else:
                r = stats.wilcoxon(d, zero_method="wilcox", correction=not exact,
                                   method="exact" if exact else "approx")
                rk = stats.rankdata(np.abs(d))
                v, pv = float(rk[d > 0].sum()), float(r.pvalue)
            rows.append({"a": cols[i], "b": cols[j], "n": int(d.size), "V": v, "p": pv})
    post = pd.DataFrame(rows)
    if len(post):
        post["p_holm"] = _holm(post["p"].to_numpy())
    return FriedmanResult(chisq=chisq, df=int(k - 1), p=p, kendall_w=chisq / (n * (k - 1)), n=int(n),
                          mean_ranks=ranks.rename("mean_rank"), posthoc=post, language=lang)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment (R's p.adjust(method = "holm"))."""
    m = p.size
    order = np.argsort(p)
    adj = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


# ------------------------------------------------------------------------- correlation table
@dataclass(frozen=True)
class CorrelationTable(TableResult):
    """``r`` and ``p`` (construct × construct), ``n`` (pairwise counts), ``mean``, ``sd`` and the APA
    ``table`` (M, SD, then the lower triangle as text with stars)."""

    r: pd.DataFrame
    p: pd.DataFrame
    n: pd.DataFrame
    mean: pd.Series
    sd: pd.Series

    @property
    def table(self) -> pd.DataFrame:
        names = list(self.r.index)
        fa = self.language == "fa"
        out = pd.DataFrame(index=[f"{i + 1}. {c}" for i, c in enumerate(names)])
        out[t("ct.M", self.language)] = [f"{v:.2f}" for v in self.mean]
        out[t("ct.SD", self.language)] = [f"{v:.2f}" for v in self.sd]
        for j in range(len(names)):
            col = []
            for i in range(len(names)):
                if i == j:
                    col.append("—")
                elif i > j:
                    r, p = self.r.iat[i, j], self.p.iat[i, j]
                    text = f"{r:.2f}".replace("0.", ".", 1) + _stars(p)
                    col.append(text)
                else:
                    col.append("")
            out[str(j + 1)] = col
        if fa:
            out = out.map(to_persian_digits)
            out.index = [to_persian_digits(i) for i in out.index]
        return out

    def to_dict(self) -> dict:
        return {"r": json_frame(self.r), "p": json_frame(self.p), "n": json_frame(self.n),
                "mean": {k: json_safe(v) for k, v in self.mean.items()},
                "sd": {k: json_safe(v) for k, v in self.sd.items()}}

    def _title(self) -> str:
        return t("ct.cor_title", self.language)

    def _table(self) -> pd.DataFrame:
        return self.table

    def _shown(self) -> pd.DataFrame:
        return self.table

    def _notes(self) -> list[str]:
        return [t("ct.stars", self.language)]


def _stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def correlation_table(data, spec=None, *, scores: pd.DataFrame | None = None,
                      language: str | None = None) -> CorrelationTable:
    """APA-style correlation table of the construct scores: M, SD and Pearson r with stars.

    r from the respondents with both scores (pairwise), p two-sided from t = r√(n − 2)/√(1 − r²) with
    n − 2 df (R's ``cor.test``); * p < .05, ** p < .01, *** p < .001 (APA Publication Manual, 7th ed.,
    Table 7.9 style).
    """
    lang = language or get_language()
    sc = _scores(data, spec, scores, lang)
    names = list(sc.columns)
    k = len(names)
    if k < 2:
        raise DataError(t("ct.cor_two", lang))
    R = np.eye(k)
    P = np.zeros((k, k))
    N = np.zeros((k, k), dtype=int)
    for i in range(k):
        N[i, i] = int(sc[names[i]].notna().sum())
        for j in range(i):
            pair = sc[[names[i], names[j]]].dropna()
            n = len(pair)
            if n < 3:
                raise DataError(t("ct.cor_pair", lang, a=verbatim(names[i]), b=verbatim(names[j]), n=n))
            r, p = stats.pearsonr(pair.iloc[:, 0], pair.iloc[:, 1])
            R[i, j] = R[j, i] = r
            P[i, j] = P[j, i] = p
            N[i, j] = N[j, i] = n
    idx = pd.Index(names, name="construct")
    return CorrelationTable(r=pd.DataFrame(R, idx, names), p=pd.DataFrame(P, idx, names),
                            n=pd.DataFrame(N, idx, names), mean=sc.mean(), sd=sc.std(ddof=1), language=lang)
