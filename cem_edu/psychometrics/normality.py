"""Univariate and multivariate normality screening: the table thesis committees ask for.

``normality(data, spec)`` gives, per item, skewness and excess kurtosis (psych::describe's type 3,
shared with ``describe_items``), the Shapiro–Wilk test (R's ``shapiro.test``; scipy implements the same
Royston 1995 algorithm) and the Kolmogorov–Smirnov test with the Lilliefors correction (the
Dallal–Wilkinson p-value of ``nortest::lillie.test``), and Mardia's multivariate skewness and kurtosis
exactly as ``psych::mardia``, with the advice that follows for the SEM estimator.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ..i18n import get_language, t, verbatim
from ..intake import as_frame
from ..results import json_frame, json_safe
from ._tables import TableResult
from .constructs import check_items, resolve_spec
from .describe import kurtosis, skew
from .factor import _p_text

__all__ = ["normality", "mardia", "lilliefors", "NormalityResult"]

SW_MAX_N = 5000  # R's shapiro.test: sample size must be between 3 and 5000


def lilliefors(x) -> tuple[float, float]:
    """Kolmogorov–Smirnov test of normality with estimated mean and SD (Lilliefors 1967).

    D = max(D⁺, D⁻), D⁺ = max_i(i/n − p_(i)), D⁻ = max_i(p_(i) − (i − 1)/n), p_(i) = Φ((x_(i) − x̄)/s).
    The p-value is Dallal & Wilkinson's (1986) approximation (with n > 100, D·(n/100)^0.49 at n = 100);
    where it exceeds 0.1, Stephens' (1974) modified statistic Z = D(√n − 0.01 + 0.85/√n) and the
    polynomial approximations of ``nortest::lillie.test`` (Gross & Ligges) are used instead.

    References: Lilliefors (1967), JASA 62, 399–402. Dallal & Wilkinson (1986), The American
    Statistician 40, 294–296. Stephens (1974), JASA 69, 730–737.
    """
    x = np.sort(np.asarray(x, dtype=float)[np.isfinite(x)])
    n = x.size
    if n < 5:
        return float("nan"), float("nan")
    sd = x.std(ddof=1)
    if sd == 0:
        return float("nan"), float("nan")
    p = stats.norm.cdf((x - x.mean()) / sd)
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - p), np.max(p - (i - 1) / n)))
    kd, nd = (d, n) if n <= 100 else (d * (n / 100) ** 0.49, 100)
    pv = np.exp(-7.01256 * kd ** 2 * (nd + 2.78019) + 2.99587 * kd * np.sqrt(nd + 2.78019) - 0.122119
                + 0.974598 / np.sqrt(nd) + 1.67997 / nd)
    if pv > 0.1:
        kk = (np.sqrt(n) - 0.01 + 0.85 / np.sqrt(n)) * d
        if kk <= 0.302:
            pv = 1.0
        elif kk <= 0.5:
            pv = 2.76773 - 19.828315 * kk + 80.709644 * kk ** 2 - 138.55152 * kk ** 3 + 81.218052 * kk ** 4
        elif kk <= 0.9:
            pv = -4.901232 + 40.662806 * kk - 97.490286 * kk ** 2 + 94.029866 * kk ** 3 - 32.355711 * kk ** 4
        elif kk <= 1.31:
            pv = 6.198765 - 19.558097 * kk + 23.186922 * kk ** 2 - 12.234627 * kk ** 3 + 2.423045 * kk ** 4
        else:
            pv = 0.0
    return d, float(pv)


def mardia(x) -> dict:
    """Mardia's multivariate skewness and kurtosis, as ``psych::mardia`` (complete rows only).

    With X centred, S its covariance matrix (n − 1 divisor) and D = X S⁻¹ Xᵀ (n × n):

        b1p = Σ_ij d_ij³ / n²,   b2p = Σ_i d_ii² / n
        skew = n·b1p/6 ~ χ²(p(p + 1)(p + 2)/6)
        small_skew = n·k·b1p/6,  k = (p + 1)(n + 1)(n + 3) / (n((n + 1)(p + 1) − 6))
        kurtosis = (b2p − p(p + 2))·√(n / (8p(p + 2))) ~ N(0, 1), two-sided p

    Returns a dict with n, p, b1p, b2p, skew, p_skew, small_skew, p_small, kurtosis, p_kurt.

    References: Mardia (1970), Biometrika 57, 519–530; Mardia (1974), Sankhyā B 36, 115–128;
    Revelle, psych::mardia.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.all(np.isfinite(x), axis=1)]
    n, p = x.shape
    if n <= p + 1:
        raise DataError(t("norm.too_few_rows", n=n, p=p))
    xc = x - x.mean(axis=0)
    S = np.cov(xc, rowvar=False)
    try:
        D = xc @ np.linalg.solve(S, xc.T)
    except np.linalg.LinAlgError:
        raise DataError(t("norm.singular")) from None
    b1p = float(np.sum(D ** 3) / n ** 2)
    b2p = float(np.sum(np.diag(D) ** 2) / n)
    df = p * (p + 1) * (p + 2) / 6
    k = (p + 1) * (n + 1) * (n + 3) / (n * ((n + 1) * (p + 1) - 6))
    skew_stat = n * b1p / 6
    small = n * k * b1p / 6
    kurt = (b2p - p * (p + 2)) * np.sqrt(n / (8 * p * (p + 2)))
    return {"n": int(n), "p": int(p), "b1p": b1p, "b2p": b2p, "skew": float(skew_stat),
            "p_skew": float(stats.chi2.sf(skew_stat, df)), "small_skew": float(small),
            "p_small": float(stats.chi2.sf(small, df)), "kurtosis": float(kurt),
            "p_kurt": float(2 * stats.norm.sf(abs(kurt)))}


def severe_items(items: pd.DataFrame) -> pd.Index:
    """Items with |skew| > 2 or excess kurtosis > 7: severe non-normality (West, Finch & Curran 1995)."""
    return items.index[(items["skew"].abs() > 2) | (items["kurtosis"] > 7)]


@dataclass(frozen=True)
class NormalityResult(TableResult):
    """``items`` (n, skew, kurtosis, sw_w, sw_p, ks_d, ks_p per item), ``mardia`` (dict) and
    ``advice`` ("ML" or "MLR": the estimator the screening suggests)."""

    items: pd.DataFrame
    mardia: dict
    advice: str

    def to_dict(self) -> dict:
        return {"mardia": {k: json_safe(v) for k, v in self.mardia.items()}, "items": json_frame(self.items),
                "advice": self.advice, "advice_text": self.advice_text()}

    def advice_text(self) -> str:
        m = self.mardia
        key = "norm.advice_mlr" if self.advice == "MLR" else "norm.advice_ml"
        severe = severe_items(self.items)
        extra = t("norm.severe_items", self.language, items=", ".join(map(str, severe))) if len(severe) else ""
        return extra + t(key, self.language, p_skew=_p_text(m["p_skew"], self.language),
                 kurt=round(m["kurtosis"], 2), p=_p_text(m["p_kurt"], self.language),
                 b2p=round(m["b2p"], 2), expected=m["p"] * (m["p"] + 2))

    def _title(self) -> str:
        return t("norm.title", self.language, n=self.mardia["n"], p=self.mardia["p"])

    def _table(self) -> pd.DataFrame:
        return self.items

    def _notes(self) -> list[str]:
        m = self.mardia
        return [t("norm.mardia_line", self.language, b1p=round(m["b1p"], 3), skew=round(m["skew"], 2),
                  p_skew=_p_text(m["p_skew"], self.language), b2p=round(m["b2p"], 3),
                  kurt=round(m["kurtosis"], 2), p_kurt=_p_text(m["p_kurt"], self.language)),
                t("norm.large_n", self.language), self.advice_text(),
                *([t("norm.sw_max", self.language, n=SW_MAX_N)] if self.items["sw_w"].isna().any() else [])]


def normality(data, spec=None, *, language: str | None = None) -> NormalityResult:
    """Normality screening of the items of ``spec``: per-item tests and Mardia's multivariate test.

    Per item (its answered values): skew and excess kurtosis (psych type 3, as ``describe_items``),
    Shapiro–Wilk W and p (as R's ``shapiro.test``; NaN above 5000 answers, where R refuses), and the
    Lilliefors-corrected Kolmogorov–Smirnov D and p (:func:`lilliefors`). Mardia's coefficients use the
    rows that answered every item (:func:`mardia`, as ``psych::mardia``).

    With a few hundred respondents these tests reject normality for almost any Likert item: they test
    exact normality, and their power grows with n. Judge the size of the departure instead: |skew| > 2
    or excess kurtosis > 7 is severe (West, Finch & Curran 1995), and a significant Mardia kurtosis is
    the usual reason to estimate the SEM with robust ML (MLR; Satorra–Bentler / Yuan–Bentler corrected
    χ² and robust standard errors) or to bootstrap. ``advice`` is "MLR" when Mardia's kurtosis or
    skewness is significant at .05 or any item passes West et al.'s limits, else "ML".

    Parameters
    ----------
    data : DataFrame or CleanData
    spec : Instrument, lavaan syntax, dict {construct: [columns]} or None (all numeric columns)

    References
    ----------
    Mardia (1970), Biometrika 57, 519–530. Shapiro & Wilk (1965), Biometrika 52, 591–611; Royston (1995),
    Applied Statistics 44, 547–551. Lilliefors (1967), JASA 62, 399–402. West, Finch & Curran (1995), in
    Hoyle (ed.), Structural Equation Modeling, 56–75. Kline (2016), Principles and Practice of SEM, ch. 4.
    """
    lang = language or get_language()
    df = as_frame(data)
    sp = resolve_spec(spec, df, language=lang)
    cols = list(dict.fromkeys(c for v in sp.values() for c in v))
    x = check_items(df, cols, where=t("norm.where", lang), language=lang)
    rows = {}
    for j, c in enumerate(cols):
        v = x[:, j]
        v = v[np.isfinite(v)]
        if v.size < 3:
            raise DataError(t("norm.too_few_answers", lang, item=verbatim(c), n=v.size))
        w, pw = (stats.shapiro(v) if v.size <= SW_MAX_N else (np.nan, np.nan))
        d, pd_ = lilliefors(v)
        rows[c] = {"n": int(v.size), "skew": skew(v), "kurtosis": kurtosis(v), "sw_w": float(w),
                   "sw_p": float(pw), "ks_d": d, "ks_p": pd_}
    items = pd.DataFrame.from_dict(rows, orient="index")
    items.index.name = "item"
    m = mardia(x)
    severe = len(severe_items(items)) > 0
    advice = "MLR" if (m["p_kurt"] < 0.05 or m["p_skew"] < 0.05 or severe) else "ML"
    return NormalityResult(items=items, mardia=m, advice=advice, language=lang)
