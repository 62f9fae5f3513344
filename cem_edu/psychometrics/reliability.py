"""Reliability and validity of multi-item constructs.

* ``alpha(items)`` — Cronbach's alpha with the Feldt confidence interval, standardised alpha,
  alpha-if-item-deleted and item–total correlations, exactly as ``psych::alpha`` (pairwise
  covariances, as psych's default ``use = "pairwise"``).
* ``omega``, ``composite_reliability``, ``ave`` — from one confirmatory factor model with every
  construct (as ``semTools::compRelSEM`` / ``semTools::AVE`` on a lavaan ``cfa()`` fit; listwise).
* ``htmt``, ``fornell_larcker``, ``cross_loadings`` — discriminant validity.
* ``reliability(data, spec)`` — one row per construct; ``reliability_summary`` adds the JSON the
  CLI writes.

``spec`` is an ``Instrument`` (its constructs), lavaan measurement syntax (``f =~ a + b + c``
lines) or a dict ``{construct: [columns]}``.

Thresholds quoted by ``meaning(statistic)`` are conventions from the literature (Nunnally 1978;
Fornell & Larcker 1981; Henseler, Ringle & Sarstedt 2015), not laws: judge them with the purpose
of the scale, its length and the sample.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .constructs import check_items, resolve_spec
from .measurement import measurement
from ..stats.moments import pairwise_cov_cor, smc
from ..errors import DataError, EstimationWarning, ModelError
from ..i18n import format_number, t, verbatim
from ..intake import as_frame
from ..results import Result, json_frame, json_safe, output_html

__all__ = ["alpha", "AlphaResult", "omega", "composite_reliability", "ave", "htmt", "fornell_larcker",
           "cross_loadings", "reliability", "reliability_summary", "meaning", "feldt_ci", "htmt_matrix",
           "reverse_suspects", "reverse_note"]

STATISTICS = ("alpha", "alpha_std", "omega", "cr", "ave", "htmt", "fornell_larcker", "item_rest")


def meaning(statistic: str, language: str | None = None) -> str:
    """Plain-language meaning and usual thresholds of ``statistic`` (alpha, omega, cr, ave, htmt, ...)."""
    return t(f"reliability.meaning.{statistic}", language=language)


# --------------------------------------------------------------------------------------------- alpha
def _alpha_parts(C: np.ndarray, R: np.ndarray) -> dict:
    """psych's internal ``alpha.1``: raw and standardised alpha, G6, average r, S/N, Q (for the ASE)."""
    k = C.shape[0]
    sum_c, tr_c = C.sum(), np.trace(C)
    sum_r = R.sum()
    raw = (1 - tr_c / sum_c) * (k / (k - 1))
    std = (1 - k / sum_r) * (k / (k - 1))
    g6 = 1 - (k - smc(R).sum()) / sum_r
    av_r = (sum_r - k) / (k * (k - 1))
    low = R[np.tril_indices(k, -1)]
    var_r = float(np.var(low, ddof=1)) if low.size > 1 else np.nan
    med_r = float(np.median(low))
    sn = k * av_r / (1 - av_r)
    cc = C @ C
    q = (2 * k ** 2 / ((k - 1) ** 2 * sum_c ** 3)) * (sum_c * (np.trace(cc) + tr_c ** 2) - 2 * tr_c * cc.sum())
    return {"raw_alpha": raw, "std_alpha": std, "G6": g6, "average_r": av_r, "SN": sn, "Q": q,
            "var_r": var_r, "median_r": med_r}


def feldt_ci(value: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval of alpha, as psych::alpha.ci and pingouin.

    lower = 1 − (1 − α)·F(1 − p/2; n − 1, (n − 1)(k − 1)),
    upper = 1 − (1 − α)·F(p/2; n − 1, (n − 1)(k − 1)), p = 1 − level.
    """
    p = 1 - level
    d1, d2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - value) * stats.f.ppf(1 - p / 2, d1, d2)
    upper = 1 - (1 - value) * stats.f.ppf(p / 2, d1, d2)
    return float(lower), float(upper)


@dataclass(frozen=True)
class AlphaResult(Result):
    """Cronbach's alpha of one scale with psych::alpha's companions.

    ``alpha``, ``ci`` (Feldt), ``alpha_std``; ``total``: psych's ``$total`` row (raw_alpha, std_alpha,
    G6, average_r, SN, ase, mean, sd, median_r); ``items``: one row per item with psych's
    ``$item.stats`` (n, raw_r, std_r, r_cor, r_drop, mean, sd) and ``$alpha.drop`` (alpha_if_deleted,
    std_alpha_if_deleted, G6_if_deleted, average_r_if_deleted, SN_if_deleted, alpha_se_if_deleted,
    var_r_if_deleted, med_r_if_deleted).
    """

    alpha: float
    ci: tuple
    alpha_std: float
    n: int
    n_items: int
    total: pd.Series
    items: pd.DataFrame
    missing: str = "pairwise"
    level: float = 0.95
    notes: tuple = field(default_factory=tuple)
    reverse_suspects: tuple = field(default_factory=tuple)

    def __float__(self) -> float:
        return float(self.alpha)

    def to_dict(self) -> dict:
        return {"alpha": json_safe(self.alpha), "alpha_ci_lower": json_safe(self.ci[0]), "alpha_ci_upper": json_safe(self.ci[1]),
                "alpha_std": json_safe(self.alpha_std), "n": int(self.n), "n_items": int(self.n_items),
                "missing": self.missing, "level": self.level, "notes": list(self.notes),
                "items": json_frame(self.items)}

    def __str__(self) -> str:
        lo, hi = self.ci
        head = t("reliability.alpha_line", alpha=format_number(self.alpha, 3), lower=format_number(lo, 3),
                 upper=format_number(hi, 3), level=int(round(self.level * 100)), std=format_number(self.alpha_std, 3),
                 n=self.n, k=self.n_items)
        lines = [head, t("reliability.missing_" + self.missing), "", self.items.round(3).to_string()]
        lines += [""] + list(self.notes) if self.notes else []
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        lo, hi = self.ci
        head = t("reliability.alpha_line", alpha=format_number(self.alpha, 3), lower=format_number(lo, 3),
                 upper=format_number(hi, 3), level=int(round(self.level * 100)), std=format_number(self.alpha_std, 3),
                 n=self.n, k=self.n_items)
        notes = "".join(f"<p><b>⚠</b> {n}</p>" for n in self.notes)
        missing = t("reliability.missing_" + self.missing)
        return output_html(f"<p>{head}</p><p><i>{missing}</i></p>{self.items.round(3).to_html()}{notes}")


def alpha(data, items=None, *, level: float = 0.95, warn: bool = True) -> AlphaResult:
    """Cronbach's alpha of a set of items, as ``psych::alpha`` (check.keys = FALSE).

    Parameters
    ----------
    data : DataFrame or CleanData
        Answers, one column per item. Missing answers are allowed.
    items : list of str, optional
        Columns forming the scale (default: all numeric columns).
    level : float
        Confidence level of the Feldt interval (0.95).
    warn : bool
        Warn (``EstimationWarning``) when alpha is negative or items look reverse-keyed — a negative
        loading on the first principal component, the check of ``psych::alpha(check.keys = FALSE)``
        (:func:`reverse_suspects`) — naming the items and how to declare them (``reverse: true`` in
        the instrument, ``--reverse A1,C4`` on the command line). ``result.reverse_suspects`` lists them.

    Returns
    -------
    AlphaResult
        ``.alpha``, ``.ci``, ``.alpha_std``, ``.total`` and ``.items`` (item statistics and
        alpha-if-item-deleted); ``float(result)`` is alpha.

    Notes
    -----
    With C the k × k item covariance matrix and R the matching correlation matrix,

        α = k/(k − 1) · (1 − tr C / 1'C1),     α_std = k/(k − 1) · (1 − k / 1'R1).

    Like psych, covariances use pairwise deletion (each from the rows where both items were
    answered), the scale score is the mean of the answered items, and the Feldt interval uses
    n = all rows: 1 − (1 − α)·F(1 − p/2; n − 1, (n − 1)(k − 1)) … 1 − (1 − α)·F(p/2; …).
    ``r_drop`` is the corrected item–total (item–rest) correlation; ``r_cor`` corrects ``std_r``
    for item overlap with squared multiple correlations.

    References
    ----------
    Cronbach (1951), Psychometrika 16, 297–334. Feldt (1965), Psychometrika 30, 357–370.
    Revelle, psych: Procedures for Psychological, Psychometric, and Personality Research.

    Examples
    --------
    >>> import cem_edu as ce, pandas as pd
    >>> hs = pd.read_csv("datasets/holzinger_swineford.csv")
    >>> round(ce.alpha(hs, ["x4", "x5", "x6"]).alpha, 3)
    0.883
    """
    df = as_frame(data)
    cols = list(items) if items is not None else resolve_spec(None, df)["scale"]
    resolve_spec({"scale": cols}, df)
    if len(cols) < 2:
        raise DataError(t("reliability.too_few_items", n=len(cols), items=verbatim(cols)))
    x = check_items(df, cols, where=t("reliability.in_scale", items=verbatim(cols)),
                    allow_constant=True)  # zero variance is checked on the covariance matrix
    return _alpha_matrix(x, cols, level=level, warn=warn)


def _sqrt(v: float) -> float:
    """Square root that gives NaN (as R's sqrt) instead of raising for a negative value.

    Item statistics of a scale whose items correlate negatively (e.g. a handful of
    random answers in a class survey) take roots of negative sums; psych returns NaN.
    """
    return math.sqrt(v) if v >= 0 else float("nan")


def _alpha_matrix(x: np.ndarray, cols: list[str], level: float = 0.95, warn: bool = True,
                  construct: str | None = None) -> AlphaResult:
    nsub, k = x.shape
    has_missing = not np.isfinite(x).all()
    if has_missing:
        # one pass gives the item covariances and the items' correlations with the mean score
        ok = np.isfinite(x)
        x0 = np.where(ok, x, 0.0)
        item_n = ok.sum(axis=0)
        item_mean = x0.sum(axis=0) / item_n
        with np.errstate(invalid="ignore", divide="ignore"):
            score = x0.sum(axis=1) / ok.sum(axis=1)  # mean of the answered items (NaN if none)
        cov, cor = pairwise_cov_cor(np.column_stack([x, score]))
        C, raw_r = cov[:k, :k], cor[-1, :k]
    else:
        item_n = np.full(k, nsub)
        item_mean = x.mean(axis=0)
        score = x.mean(axis=1)
        cov = np.cov(np.column_stack([x, score]), rowvar=False)
        C = cov[:k, :k]
        with np.errstate(invalid="ignore", divide="ignore"):
            raw_r = cov[-1, :k] / np.sqrt(cov[-1, -1] * np.diag(C))
    flat = [c for c, v in zip(cols, np.diag(C)) if not v > 0]
    if flat:
        raise DataError(t("psy.zero_variance", columns=verbatim(flat),
                          where=verbatim(t("reliability.in_scale", items=verbatim(cols)))))
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    total = _alpha_parts(C, R)
    ase = _sqrt(total["Q"] / nsub)
    # item statistics (psych's item.stats)
    std_r = R.sum(axis=0) / _sqrt(R.sum())
    RC = R.copy()
    np.fill_diagonal(RC, smc(R))
    r_cor = RC.sum(axis=0) / _sqrt(RC.sum())
    r_drop = np.empty(k)
    for i in range(k):
        keep = np.arange(k) != i
        v_drop = C[np.ix_(keep, keep)].sum()
        r_drop[i] = (C[:, i].sum() - C[i, i]) / _sqrt(C[i, i] * v_drop)
    # alpha if item deleted (psych's alpha.drop)
    drop = []
    if k > 2:
        for i in range(k):
            keep = np.arange(k) != i
            p = _alpha_parts(C[np.ix_(keep, keep)], R[np.ix_(keep, keep)])
            p["alpha_se"] = _sqrt(p["Q"] / nsub)
            drop.append(p)
    else:
        r12 = R[0, 1]
        s = smc(R)[0]
        for i, other in ((0, 1), (1, 0)):
            drop.append({"raw_alpha": C[0, 1] / C[other, other], "std_alpha": r12, "G6": s, "average_r": r12,
                         "SN": r12 / (1 - r12), "alpha_se": np.nan, "var_r": 0.0, "median_r": r12})
    items = pd.DataFrame({
        "n": item_n, "raw_r": raw_r, "std_r": std_r, "r_cor": r_cor, "r_drop": r_drop,
        "mean": item_mean, "sd": np.sqrt(np.diag(C)),
        "alpha_if_deleted": [p["raw_alpha"] for p in drop],
        "std_alpha_if_deleted": [p["std_alpha"] for p in drop],
        "G6_if_deleted": [p["G6"] for p in drop],
        "average_r_if_deleted": [p["average_r"] for p in drop],
        "SN_if_deleted": [p["SN"] for p in drop],
        "alpha_se_if_deleted": [p["alpha_se"] for p in drop],
        "var_r_if_deleted": [p["var_r"] for p in drop],
        "med_r_if_deleted": [p["median_r"] for p in drop],
    }, index=pd.Index(cols, name="item"))
    tot = pd.Series({"raw_alpha": total["raw_alpha"], "std_alpha": total["std_alpha"], "G6": total["G6"],
                     "average_r": total["average_r"], "SN": total["SN"], "ase": ase,
                     "mean": float(np.mean(score[np.isfinite(score)])),
                     "sd": float(np.std(score[np.isfinite(score)], ddof=1)),
                     "median_r": total["median_r"]})
    ci = feldt_ci(total["raw_alpha"], nsub, k, level)
    suspects = reverse_suspects(R, cols)
    notes = _sign_notes(total["raw_alpha"], items, suspects, construct)
    if warn:
        for note in notes:
            warnings.warn(note, EstimationWarning, stacklevel=3)
    return AlphaResult(float(total["raw_alpha"]), ci, float(total["std_alpha"]), int(nsub), k, tot, items,
                       "pairwise" if has_missing else "complete", level, tuple(notes), tuple(suspects))


def reverse_suspects(R, items) -> list[str]:
    """Items that look reverse-keyed: a negative loading on the first principal component of R.

    The rule of ``psych::alpha(check.keys = FALSE)``: ``principal(x)`` (the first eigenvector v₁ of
    the item correlation matrix R, scaled to loadings √λ₁·v₁ and signed so that Σ loadings > 0);
    psych warns "Some items ( … ) were negatively correlated with the total scale and probably
    should be reversed" and names every item whose loading is below 0.

    Parameters
    ----------
    R : k × k correlation matrix (array or DataFrame); pairwise correlations, as psych's default
    items : the k item names, in R's order

    Returns
    -------
    list of item names, in R's order (empty when every loading is positive).

    Reference: Revelle, psych::alpha and psych::principal (R package psych, 2.x).
    """
    R = np.asarray(R, dtype=float)
    if R.shape[0] < 2 or not np.isfinite(R).all():
        return []
    values, vectors = np.linalg.eigh(R)
    v = vectors[:, -1] * math.sqrt(max(values[-1], 0.0))
    if v.sum() < 0:
        v = -v
    return [str(c) for c, load in zip(items, v) if load < 0]


def _sign_notes(value: float, items: pd.DataFrame, suspects=(), construct: str | None = None) -> list[str]:
    notes = []
    neg = items.index[items["r_drop"] < 0].tolist()
    if value < 0 or neg or suspects:
        worst = items["r_drop"].idxmin()
        if value < 0:
            notes.append(t("reliability.negative_alpha", alpha=format_number(value, 3), item=verbatim(worst),
                           r=format_number(items.loc[worst, "r_drop"], 3)))
        elif not suspects:
            notes.append(t("reliability.negative_item", items=verbatim(neg), item=verbatim(worst),
                           r=format_number(items.loc[worst, "r_drop"], 3)))
        if suspects:
            notes.append(reverse_note(list(suspects), construct=construct, alpha=value))
    return notes


def reverse_note(suspects, construct: str | None = None, alpha: float | None = None,
                 language: str | None = None) -> str:
    """The one-line warning about items that look reverse-keyed, with how to declare them.

    Names the items (as psych::alpha does) and the two ways to say they are reversed: ``reverse:
    true`` on the item in the instrument, or ``--reverse A1,C4`` on the command line.
    """
    where = t("reliability.in_construct", language=language, construct=verbatim(construct)) if construct else ""
    return t("reliability.reverse_suspects", language=language, where=where,
             items=verbatim(", ".join(f"'{i}'" for i in suspects)), cli=verbatim(",".join(suspects)),
             alpha=format_number(alpha, 3, language=language) if alpha is not None else "—")


# ------------------------------------------------------------------------------ CFA-based statistics
def _prepare(data, spec):
    df = as_frame(data)
    sp = resolve_spec(spec, df)
    for c, cols in sp.items():
        check_items(df, cols, where=t("reliability.in_construct", construct=verbatim(c)))
    return df, sp


def _omega_cr_ave(m, sp) -> pd.DataFrame:
    rows = {}
    for f, cols in sp.items():
        if len(cols) < 2:
            rows[f] = {"omega": np.nan, "cr": np.nan, "ave": np.nan}
            continue
        lam, psi = m.lam[f].to_numpy(), m.psi[f]
        S = m.S.loc[cols, cols].to_numpy()
        std = m.std[f].to_numpy()
        om = lam.sum() ** 2 * psi / S.sum()
        av = (lam ** 2).sum() * psi / np.trace(S)
        cr = std.sum() ** 2 / (std.sum() ** 2 + (1 - std ** 2).sum())
        rows[f] = {"omega": om, "cr": cr, "ave": av}
    out = pd.DataFrame(rows).T
    out.index.name = "construct"
    return out


def omega(data, spec) -> pd.Series:
    """McDonald's omega per construct, as ``semTools::compRelSEM`` on a one-factor-per-construct CFA.

    ω = (Σλ)²·ψ / 1'S1, with λ the unstandardised loadings, ψ the factor variance and S the
    observed covariance matrix of the construct's items (semTools' default ``obs.var = TRUE``).
    All constructs are fitted in one model (ML, listwise). Single-item constructs give NaN
    (semTools drops them).

    Reference: McDonald (1999), Test Theory: A Unified Treatment; Jorgensen et al., semTools.
    """
    df, sp = _prepare(data, spec)
    return _omega_cr_ave(measurement(df, sp), sp)["omega"].rename("omega")


def composite_reliability(data, spec) -> pd.Series:
    """Composite reliability (Jöreskog's rho) per construct from standardised loadings.

    CR = (Σλ)² / ((Σλ)² + Σ(1 − λ²)), λ = standardised (std_all) loadings of the CFA.

    Reference: Fornell & Larcker (1981), Journal of Marketing Research 18(1), 39–50.
    """
    df, sp = _prepare(data, spec)
    return _omega_cr_ave(measurement(df, sp), sp)["cr"].rename("cr")


def ave(data, spec) -> pd.Series:
    """Average variance extracted per construct, as ``semTools::AVE``.

    AVE = Σλ²·ψ / Σ diag(S) (observed item variances; with standardised items this is the mean
    squared standardised loading).

    Reference: Fornell & Larcker (1981), Journal of Marketing Research 18(1), 39–50.
    """
    df, sp = _prepare(data, spec)
    return _omega_cr_ave(measurement(df, sp), sp)["ave"].rename("ave")


def fornell_larcker(data, spec) -> pd.DataFrame:
    """Fornell–Larcker matrix: √AVE on the diagonal, latent correlations (CFA) off the diagonal.

    Discriminant validity is supported when each √AVE exceeds the construct's correlations with
    the others (Fornell & Larcker 1981). Single-item constructs have NaN on the diagonal.
    """
    df, sp = _prepare(data, spec)
    m = measurement(df, sp)
    out = m.lv_cor.copy()
    av = _omega_cr_ave(m, sp)["ave"]
    for f in out.index:
        out.loc[f, f] = math.sqrt(av[f]) if np.isfinite(av[f]) and av[f] >= 0 else np.nan
    out.index.name = "construct"
    return out


def htmt(data, spec, *, mean: str = "arithmetic", absolute: bool = True) -> pd.DataFrame:
    """Heterotrait–monotrait ratio of correlations, as ``semTools::htmt`` (listwise deletion).

    HTMT_ij = mean|r| between items of i and items of j / √(mean|r| within i · mean|r| within j),
    within-construct means over the off-diagonal correlations. ``mean="geometric"`` uses geometric
    means instead (HTMT2 of Roemer, Schuberth & Henseler 2021; ``semTools::htmt(htmt2 = TRUE)``,
    which is semTools' default since 0.5.6 — ours is the original arithmetic version).
    Constructs with one item are left out (no within-construct correlation).
    Values below .85 (strict) or .90 (liberal) are usually read as discriminant validity.

    Reference: Henseler, Ringle & Sarstedt (2015), Journal of the Academy of Marketing Science 43.
    """
    if mean not in ("arithmetic", "geometric"):
        raise DataError(t("reliability.htmt_mean", mean=mean))
    df, sp = _prepare(data, spec)
    sp = {f: c for f, c in sp.items() if len(c) > 1}
    names = list(sp)
    cols = [c for f in names for c in sp[f]]
    r = np.corrcoef(df[cols].astype(float).dropna().to_numpy(), rowvar=False)
    pos = {c: i for i, c in enumerate(cols)}
    idx = [[pos[c] for c in sp[f]] for f in names]
    out = pd.DataFrame(htmt_matrix(r, idx, mean=mean, absolute=absolute), index=names, columns=names)
    out.index.name = "construct"
    return out


def htmt_matrix(r: np.ndarray, blocks: list, *, mean: str = "arithmetic", absolute: bool = True) -> np.ndarray:
    """HTMT (``mean="arithmetic"``) or HTMT2 (``"geometric"``) from a correlation matrix ``r``.

    ``r`` may carry leading batch dimensions (``(..., p, p)``, e.g. bootstrap samples);
    ``blocks`` lists the column indices of each construct. A one-item block has no
    within-construct correlation; its monotrait mean is taken as 1 (as seminr and SmartPLS do
    for single-item constructs). Returns (..., K, K) with 1 on the diagonal.
    The formula and references are those of :func:`htmt`.
    """
    r = np.asarray(r, float)
    if absolute:
        r = np.abs(r)

    def avg(v):
        if mean == "geometric":
            with np.errstate(divide="ignore"):
                return np.exp(np.mean(np.log(v), axis=-1))
        return np.mean(v, axis=-1)

    K = len(blocks)
    mono = []
    for i in blocks:
        if len(i) < 2:
            mono.append(np.ones(r.shape[:-2]))
        else:
            iu = np.triu_indices(len(i), 1)
            mono.append(avg(r[..., i, :][..., :, i][..., iu[0], iu[1]]))
    out = np.broadcast_to(np.eye(K), r.shape[:-2] + (K, K)).copy()
    for a in range(K):
        for b in range(a):
            het = avg(r[..., blocks[a], :][..., :, blocks[b]].reshape(r.shape[:-2] + (-1,)))
            with np.errstate(divide="ignore", invalid="ignore"):
                v = het / np.sqrt(mono[a] * mono[b])
            out[..., a, b] = out[..., b, a] = v
    return out


def cross_loadings(data, spec) -> pd.DataFrame:
    """Correlation of every item with every construct's mean score (listwise).

    An item should correlate more with its own construct's score than with any other; the own
    construct's correlation includes the item itself (as in PLS-style cross-loading tables).
    Returns items × constructs with a ``construct`` column naming the item's own construct.
    """
    df, sp = _prepare(data, spec)
    cols = [c for v in sp.values() for c in v]
    sub = df[cols].astype(float).dropna()
    scores = pd.DataFrame({f: sub[c].mean(axis=1) for f, c in sp.items()})
    z = pd.concat([sub, scores.add_prefix("\0")], axis=1).to_numpy()
    r = np.corrcoef(z, rowvar=False)[: len(cols), len(cols):]
    out = pd.DataFrame(r, index=pd.Index(cols, name="item"), columns=list(sp))
    out.insert(0, "construct", [f for f, v in sp.items() for _ in v])
    return out


# ------------------------------------------------------------------------------------ the summary
def reliability(data, spec, *, level: float = 0.95, ordinal: bool = False, warn: bool = True) -> pd.DataFrame:
    """Reliability table, one row per construct.

    Columns: n_items, n (rows with at least one answer), alpha, alpha_ci_lower, alpha_ci_upper
    (Feldt), alpha_std, omega (semTools::compRelSEM), cr (from standardised loadings), ave
    (semTools::AVE). With ``ordinal=True`` also ordinal_alpha and ordinal_omega from the
    polychoric correlation matrix of each construct (``psych::polychoric``; Zumbo, Gadermann &
    Zeisser 2007, Journal of Modern Applied Statistical Methods 6(1)) — for Likert items with at
    most 8 answer options.
    Alpha uses pairwise covariances (as psych); omega, CR and AVE come from one CFA of all
    constructs with listwise deletion (as lavaan's default).

    ``meaning("alpha")`` etc. explain each column and the usual thresholds (α ≥ .70, CR ≥ .70,
    AVE ≥ .50), which are conventions rather than laws.

    ``table.attrs["reverse_suspects"]`` is ``{construct: [items]}`` for the constructs with items that
    look reverse-keyed (:func:`reverse_suspects`; psych::alpha names the same items); with ``warn``
    each such construct gives one ``EstimationWarning`` naming them and the ``--reverse`` option.
    """
    df, sp = _prepare(data, spec)
    rows = {}
    suspects: dict[str, list[str]] = {}
    for f, cols in sp.items():
        x = df[cols].to_numpy(dtype=float)
        answered = int((np.isfinite(x).any(axis=1)).sum())
        row = {"n_items": len(cols), "n": answered}
        if len(cols) >= 2:
            a = _alpha_matrix(x[np.isfinite(x).any(axis=1)] if answered < len(x) else x, cols, level=level, warn=warn,
                              construct=str(f))
            if a.reverse_suspects:
                suspects[str(f)] = list(a.reverse_suspects)
            row |= {"alpha": a.alpha, "alpha_ci_lower": a.ci[0], "alpha_ci_upper": a.ci[1], "alpha_std": a.alpha_std}
        else:
            row |= {"alpha": np.nan, "alpha_ci_lower": np.nan, "alpha_ci_upper": np.nan, "alpha_std": np.nan}
        rows[f] = row
    out = pd.DataFrame(rows).T
    out[["n_items", "n"]] = out[["n_items", "n"]].astype(int)
    try:
        m = measurement(df, sp)
        out = out.join(_omega_cr_ave(m, sp))
        out.attrs["missing"] = t("reliability.missing_table", n=m.n, total=len(df))
    except ModelError as err:  # e.g. a lone 2-item construct: no identified factor model
        if warn:
            warnings.warn(t("reliability.cfa_failed", reason=str(err)), EstimationWarning, stacklevel=2)
        out = out.assign(omega=np.nan, cr=np.nan, ave=np.nan)
    if ordinal:
        out = out.join(_ordinal(df, sp))
    out.index.name = "construct"
    for c in out.columns[2:]:
        out[c] = out[c].astype(float)
    out.attrs["reverse_suspects"] = suspects
    return out


def _ordinal(df: pd.DataFrame, sp: dict) -> pd.DataFrame:
    """Ordinal alpha and omega per construct from the polychoric correlation matrix R.

    ordinal_alpha = k/(k − 1)·(1 − k/1'R1) (psych::alpha on R; Zumbo, Gadermann & Zeisser 2007);
    ordinal_omega = (Σλ)² / ((Σλ)² + Σu²) from a one-factor minres solution of R (psych::fa).
    """
    from .factor import _minres  # noqa: PLC0415
    from ..stats.polychoric import polychoric_matrix  # noqa: PLC0415

    rows = {}
    for f, cols in sp.items():
        if len(cols) < 2:
            rows[f] = {"ordinal_alpha": np.nan, "ordinal_omega": np.nan}
            continue
        R = polychoric_matrix(df[cols]).to_numpy()
        k = len(cols)
        a = (1 - k / R.sum()) * k / (k - 1)
        if k >= 3:
            L, _ = _minres(R, 1)
            L = L[:, 0] * np.sign(L.sum())
            u2 = 1 - L ** 2
            om = L.sum() ** 2 / (L.sum() ** 2 + u2.sum())
        else:
            om = np.nan
        rows[f] = {"ordinal_alpha": a, "ordinal_omega": om}
    return pd.DataFrame(rows).T


def reliability_summary(data, spec, *, level: float = 0.95) -> tuple[pd.DataFrame, dict]:
    """``(table, json_dict)`` for the CLI: the reliability table and
    ``{construct: {alpha, alpha_ci_lower, alpha_ci_upper, omega, cr, ave}, "htmt": {c1: {c2: v}}}``
    (NaN written as null)."""
    table = reliability(data, spec, level=level)
    out: dict = {}
    keys = ("alpha", "alpha_ci_lower", "alpha_ci_upper", "omega", "cr", "ave")
    for f, row in table.iterrows():
        out[str(f)] = {k: json_safe(row[k]) for k in keys}
    h = htmt(data, spec)
    out["htmt"] = {str(a): {str(b): json_safe(h.loc[a, b]) for b in h.columns if b != a} for a in h.index}
    return table, out
