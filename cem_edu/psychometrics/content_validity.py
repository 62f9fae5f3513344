"""Content validity from an expert panel: Lawshe's CVR, the CVI with modified kappa, the item impact score.

The panel sheet has one row per expert and one column per item (``cem-edu export-form --format panel``
writes an empty one from any instrument); a first text column (expert names or codes) is used as the
row labels. Ratings left empty count as "not rated" for that item: every statistic of an item uses the
experts who rated it.

* ``cvr(panel)`` — Lawshe's (1975) content validity ratio, codes 1–3 (3 = essential), with the exact
  binomial critical value for the item's panel size (Ayre & Scally 2014) and keep / drop.
* ``cvi(panel)`` — relevance ratings 1–4: item-level CVI, probability of chance agreement, modified
  kappa (Polit, Beck & Owen 2007), scale-level S-CVI/Ave and S-CVI/UA.
* ``impact_score(panel)`` — face validity from importance ratings 1–5: frequency × importance
  (Lacasse et al. 1999; Juniper et al. 1997), keep when ≥ 1.5.
* ``cvr_critical(n)`` — the critical CVR for a panel of n experts.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, EstimationWarning
from ..i18n import get_language, t, verbatim
from ..results import json_frame, json_safe
from ._tables import TableResult

__all__ = ["cvr", "cvi", "impact_score", "cvr_critical", "read_panel", "CVRResult", "CVIResult", "ImpactResult"]


# ------------------------------------------------------------------------------------------- input
def read_panel(panel, codes: tuple[int, int], what: str = "panel") -> pd.DataFrame:
    """The ratings as a float DataFrame (experts × items), checked against the answer codes ``codes``.

    ``panel``: a DataFrame, a ``CleanData`` or a path to a CSV/XLSX/SAV file. A leading text column
    (expert names) becomes the index; any other non-numeric column, a rating outside ``codes`` or a
    non-integer rating is an error that names the item, the value and the rows.
    """
    if isinstance(panel, (str, bytes)) or hasattr(panel, "__fspath__"):
        from ..intake import read_data  # noqa: PLC0415

        panel = read_data(panel)
    from ..intake import as_frame  # noqa: PLC0415

    df = as_frame(panel).copy()
    if df.shape[1] and not pd.api.types.is_numeric_dtype(df.iloc[:, 0]):
        df = df.set_index(df.columns[0])
    df = df.dropna(axis=0, how="all")
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise DataError(t("cv.empty_panel", what=what))
    lo, hi = codes
    for c in df.columns:
        col = df[c]
        if not pd.api.types.is_numeric_dtype(col):
            num = pd.to_numeric(col, errors="coerce")
            bad = col[num.isna() & col.notna()]
            if len(bad):
                raise DataError(t("cv.not_numeric", item=verbatim(c), value=verbatim(bad.iloc[0]),
                                  rows=verbatim([str(r) for r in bad.index[:5]]), lo=lo, hi=hi))
            col = num
        v = col.to_numpy(dtype=float)
        off = np.isfinite(v) & ((v < lo) | (v > hi) | (v != np.round(v)))
        if off.any():
            rows = [str(r) for r in df.index[off][:5]]
            raise DataError(t("cv.out_of_codes", item=verbatim(c), value=verbatim(f"{v[off][0]:g}"),
                              n=int(off.sum()), rows=verbatim(rows), lo=lo, hi=hi))
        if not np.isfinite(v).any():
            raise DataError(t("cv.item_unrated", item=verbatim(c)))
        df[c] = v
    df.columns = [str(c) for c in df.columns]
    return df.astype(float)


# --------------------------------------------------------------------------------------------- CVR
def cvr_critical(n: int, alpha: float = 0.05) -> tuple[int, float]:
    """Critical number of "essential" ratings and critical CVR for a panel of ``n`` experts.

    Under H0 each expert calls an item essential with probability 1/2, so the number who do is
    Binomial(n, 1/2). The critical number n_crit is the smallest k with P(X ≥ k) < alpha (one-tailed)
    and CVR_crit = (n_crit − n/2)/(n/2) = 2·n_crit/n − 1 (Ayre & Scally 2014, Table 1: exact binomial;
    Lawshe's 1975 table was computed with a normal approximation and has errors). For n ≤ 4 no
    number of experts reaches significance at .05: returns (n + 1, nan).

    Reference: Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content validity ratio.
    Measurement and Evaluation in Counseling and Development, 47(1), 79–86.
    """
    n = int(n)
    if n < 1:
        raise DataError(t("cv.no_experts"))
    k = np.arange(n + 1)
    tail = stats.binom.sf(k - 1, n, 0.5)  # P(X >= k)
    ok = np.nonzero(tail < alpha)[0]
    if ok.size == 0:
        return n + 1, float("nan")
    ncrit = int(ok[0])
    return ncrit, 2.0 * ncrit / n - 1.0


@dataclass(frozen=True)
class CVRResult(TableResult):
    """Lawshe's CVR per item (``items``: n, n_essential, cvr, n_critical, cvr_critical, keep) and the
    content validity index of the kept items (mean CVR, Lawshe 1975)."""

    items: pd.DataFrame
    cvi: float
    n_experts: int
    alpha: float

    def to_dict(self) -> dict:
        return {"method": "cvr", "n_experts": self.n_experts, "alpha": self.alpha,
                "items": json_frame(self.items), "cvi": json_safe(self.cvi),
                "kept": [i for i, k in self.items["keep"].items() if k]}

    def _title(self) -> str:
        return t("cv.cvr_title", self.language, n=self.n_experts)

    def _table(self) -> pd.DataFrame:
        tab = self.items.copy()
        tab["keep"] = tab["keep"].map({True: t("cv.keep", self.language), False: t("cv.drop", self.language)})
        return tab

    def _notes(self) -> list[str]:
        return [t("cv.cvr_note", self.language, cvi=round(self.cvi, 3) if np.isfinite(self.cvi) else "—")]


def cvr(panel, *, alpha: float = 0.05, essential: int = 3, codes: tuple[int, int] = (1, 3),
        language: str | None = None) -> CVRResult:
    """Lawshe's content validity ratio per item, with its exact critical value and keep / drop.

    CVR = (n_e − N/2) / (N/2), with n_e the experts who rate the item "essential" (code ``essential``,
    3 on Lawshe's 1 = not necessary, 2 = useful but not essential, 3 = essential) and N the experts
    who rated the item. An item is kept when n_e ≥ n_crit, i.e. CVR ≥ CVR_crit of :func:`cvr_critical`
    for its N (exact binomial, one-tailed ``alpha``; Ayre & Scally 2014). The content validity index
    of the instrument is the mean CVR of the kept items (Lawshe 1975).

    Parameters
    ----------
    panel : DataFrame, CleanData or path — experts in rows, items in columns, codes 1–3.
    alpha : one-tailed level of the critical value (0.05 as Lawshe and Ayre & Scally).

    Returns
    -------
    CVRResult

    Examples
    --------
    >>> import pandas as pd, cem_edu as ce
    >>> panel = pd.DataFrame({"q1": [3] * 9 + [2], "q2": [3] * 6 + [1] * 4})
    >>> ce.cvr(panel).items[["cvr", "cvr_critical", "keep"]].round(2).to_dict("index")
    {'q1': {'cvr': 0.8, 'cvr_critical': 0.8, 'keep': True}, 'q2': {'cvr': 0.2, 'cvr_critical': 0.8, 'keep': False}}

    References
    ----------
    Lawshe, C. H. (1975). A quantitative approach to content validity. Personnel Psychology, 28, 563–575.
    Ayre, C., & Scally, A. J. (2014). Measurement and Evaluation in Counseling and Development, 47(1), 79–86.
    """
    lang = language or get_language()
    df = read_panel(panel, codes)
    rows = {}
    for c in df.columns:
        v = df[c].to_numpy()
        v = v[np.isfinite(v)]
        n = v.size
        ne = int(np.sum(v == essential))
        ncrit, crit = cvr_critical(n, alpha)
        rows[c] = {"n": n, "n_essential": ne, "cvr": (ne - n / 2) / (n / 2), "n_critical": ncrit,
                   "cvr_critical": crit, "keep": bool(ne >= ncrit)}
    items = pd.DataFrame.from_dict(rows, orient="index")
    items.index.name = "item"
    small = items.index[items["cvr_critical"].isna()]
    if len(small):
        warnings.warn(t("cv.small_panel", items=verbatim(list(small)), n=int(items.loc[small, "n"].min()),
                        language=lang), EstimationWarning, stacklevel=2)
    kept = items.loc[items["keep"], "cvr"]
    return CVRResult(items=items, cvi=float(kept.mean()) if len(kept) else float("nan"),
                     n_experts=int(df.shape[0]), alpha=float(alpha), language=lang)


# --------------------------------------------------------------------------------------------- CVI
def _kappa_rating(k: float) -> str:
    """Cicchetti & Sparrow (1981) / Fleiss (1981) labels used by Polit et al. (2007)."""
    if k > 0.74:
        return "excellent"
    if k >= 0.60:
        return "good"
    if k >= 0.40:
        return "fair"
    return "poor"


@dataclass(frozen=True)
class CVIResult(TableResult):
    """Item-level CVI, chance agreement and modified kappa (``items``) and the scale-level indices."""

    items: pd.DataFrame
    s_cvi_ave: float
    s_cvi_ua: float
    n_experts: int
    threshold: float

    def to_dict(self) -> dict:
        return {"method": "cvi", "n_experts": self.n_experts, "threshold": self.threshold,
                "items": json_frame(self.items), "s_cvi_ave": json_safe(self.s_cvi_ave),
                "s_cvi_ua": json_safe(self.s_cvi_ua)}

    def _title(self) -> str:
        return t("cv.cvi_title", self.language, n=self.n_experts)

    def _table(self) -> pd.DataFrame:
        tab = self.items.copy()
        tab["rating"] = tab["rating"].map(lambda r: t(f"cv.kappa.{r}", self.language))
        tab["keep"] = tab["keep"].map({True: t("cv.keep", self.language), False: t("cv.revise", self.language)})
        return tab

    def _notes(self) -> list[str]:
        return [t("cv.cvi_note", self.language, ave=round(self.s_cvi_ave, 3), ua=round(self.s_cvi_ua, 3))]


def cvi(panel, *, relevant: tuple[int, ...] = (3, 4), codes: tuple[int, int] = (1, 4), threshold: float = 0.78,
        language: str | None = None) -> CVIResult:
    """Content validity index per item and for the scale, with the modified kappa of Polit et al. (2007).

    Relevance is rated 1 = not relevant, 2 = somewhat relevant, 3 = quite relevant, 4 = highly relevant
    (Davis 1992; Lynn 1986); ratings in ``relevant`` (3 and 4) count as agreement. For an item rated
    by N experts of whom A agree:

        I-CVI = A / N
        p_c   = C(N, A) · 0.5^N                  (probability that A of N agree by chance)
        κ*    = (I-CVI − p_c) / (1 − p_c)        (modified kappa)
        S-CVI/Ave = mean of the I-CVIs;  S-CVI/UA = share of items with I-CVI = 1.

    κ* > .74 is rated excellent, .60–.74 good, .40–.59 fair (Cicchetti & Sparrow 1981). An item is
    kept when I-CVI ≥ ``threshold`` (.78; Polit, Beck & Owen 2007, following Lynn 1986); a scale with
    S-CVI/Ave ≥ .90 has excellent content validity (Polit & Beck 2006).

    Returns
    -------
    CVIResult with ``items`` (n, n_relevant, i_cvi, pc, kappa, rating, keep), ``s_cvi_ave``, ``s_cvi_ua``.

    References
    ----------
    Polit, D. F., Beck, C. T., & Owen, S. V. (2007). Is the CVI an acceptable indicator of content
    validity? Research in Nursing & Health, 30, 459–467. Lynn, M. R. (1986). Nursing Research, 35, 382–385.
    Polit, D. F., & Beck, C. T. (2006). Research in Nursing & Health, 29, 489–497.
    """
    lang = language or get_language()
    df = read_panel(panel, codes)
    rows = {}
    for c in df.columns:
        v = df[c].to_numpy()
        v = v[np.isfinite(v)]
        n = v.size
        a = int(np.isin(v, relevant).sum())
        icvi = a / n
        pc = float(stats.binom.pmf(a, n, 0.5))
        kappa = (icvi - pc) / (1 - pc)
        rows[c] = {"n": n, "n_relevant": a, "i_cvi": icvi, "pc": pc, "kappa": kappa,
                   "rating": _kappa_rating(kappa), "keep": bool(icvi >= threshold - 1e-12)}
    items = pd.DataFrame.from_dict(rows, orient="index")
    items.index.name = "item"
    return CVIResult(items=items, s_cvi_ave=float(items["i_cvi"].mean()),
                     s_cvi_ua=float(np.mean(items["i_cvi"] == 1.0)), n_experts=int(df.shape[0]),
                     threshold=float(threshold), language=lang)


# ----------------------------------------------------------------------------------- impact score
@dataclass(frozen=True)
class ImpactResult(TableResult):
    """Item impact score (``items``: n, frequency, importance, impact, keep)."""

    items: pd.DataFrame
    n_raters: int

    def to_dict(self) -> dict:
        return {"method": "impact", "n_raters": self.n_raters, "items": json_frame(self.items)}

    def _title(self) -> str:
        return t("cv.impact_title", self.language, n=self.n_raters)

    def _table(self) -> pd.DataFrame:
        tab = self.items.copy()
        tab["keep"] = tab["keep"].map({True: t("cv.keep", self.language), False: t("cv.revise", self.language)})
        return tab


def impact_score(panel, *, important: tuple[int, ...] = (4, 5), codes: tuple[int, int] = (1, 5),
                 threshold: float = 1.5, language: str | None = None) -> ImpactResult:
    """Item impact score for face validity: frequency × importance.

    Raters (experts or target respondents) rate each item's importance 1–5. With N raters of an item:

        frequency  = share of raters who rate it ``important`` (4 or 5)
        importance = mean importance rating
        impact     = frequency × importance,   keep when impact ≥ 1.5

    (1.5 corresponds to half of the raters at a mean importance of 3; Lacasse, Godbout & Sériès 1999.)

    References
    ----------
    Juniper, E. F., Guyatt, G. H., Streiner, D. L., & King, D. R. (1997). Clinical impact versus factor
    analysis for quality of life questionnaire construction. Journal of Clinical Epidemiology, 50, 233–238.
    Lacasse, Y., Godbout, C., & Sériès, F. (1999). European Respiratory Journal, 13, 1058–1065.
    """
    lang = language or get_language()
    df = read_panel(panel, codes)
    rows = {}
    for c in df.columns:
        v = df[c].to_numpy()
        v = v[np.isfinite(v)]
        freq = float(np.isin(v, important).mean())
        imp = float(v.mean())
        rows[c] = {"n": v.size, "frequency": freq, "importance": imp, "impact": freq * imp,
                   "keep": bool(freq * imp >= threshold - 1e-12)}
    items = pd.DataFrame.from_dict(rows, orient="index")
    items.index.name = "item"
    return ImpactResult(items=items, n_raters=int(df.shape[0]), language=lang)
