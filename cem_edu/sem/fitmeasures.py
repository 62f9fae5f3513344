"""Fit measures from the model-implied moments, with lavaan's ``fitMeasures()`` conventions.

Names as lavaan's, with ``_`` for ``.`` (``rmsea_ci_lower``). Formulas (N = total n,
G = number of groups, F = ML discrepancy, chisq = N F, baseline = independence model
with free variances (and means), exogenous covariates fixed as in the model):

* cfi = 1 - max(chisq - df, 0) / max(chisq - df, chisq_b - df_b, 0)   (in [0, 1])
* tli = (chisq_b/df_b - chisq/df) / (chisq_b/df_b - 1)
* rmsea = sqrt(max(chisq/(N df) - 1/N, 0)) * sqrt(G); 90% CI by inverting the
  noncentral chi-square; rmsea_pvalue = P(chi2(df, ncp = N df 0.05^2 / G) >= chisq)
* srmr = Bentler's SRMR: residuals scaled by the *sample* standard deviations,
  means included with a mean structure, groups weighted by n_g / N (lavaan's ``srmr``)
* logl = sum_g -n_g/2 [p log(2 pi) + log|Sigma| + tr(S Sigma^-1) + (m - mu)' Sigma^-1 (m - mu)]
* aic = -2 logl + 2 npar, bic = -2 logl + npar log N, bic2 = -2 logl + npar log((N + 2)/24)

References: Bentler (1990) for CFI; Tucker & Lewis (1973); Steiger (1990) and
Browne & Cudeck (1993) for RMSEA; Hu & Bentler (1999) for SRMR; lavaan
``lav_fit_measures.R``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

from .ml import SampleStats
from .model import Model

__all__ = ["fit_measures", "baseline", "rmsea_ci", "count_df", "loglik"]


def _n_exo(model: Model) -> tuple[int, int]:
    nx = len(model.names.ov_x)
    return nx, nx * (nx + 1) // 2 + (nx if model.meanstructure else 0)


def count_df(model: Model, npar: int | None = None) -> int:
    """Degrees of freedom: sample moments (minus fixed exogenous ones) minus free parameters."""
    p = model.p
    per = p * (p + 1) // 2 + (p if model.meanstructure else 0)
    _, nexo = _n_exo(model)
    npar = model.npar if npar is None else npar
    return int(model.ngroups * (per - nexo) - npar)


def loglik(model: Model, stats: SampleStats, implied) -> float:
    """Normal log-likelihood of the model (lavaan's ``logl``)."""
    out = 0.0
    for g, (Sigma, mu) in enumerate(implied):
        S, n, p = stats.cov[g], stats.n[g], stats.cov[g].shape[0]
        sign, logdet = np.linalg.slogdet(Sigma)
        Vinv = np.linalg.inv(Sigma)
        val = p * np.log(2 * np.pi) + logdet + np.sum(S * Vinv)
        if mu is not None:
            d = stats.mean[g] - mu
            val += d @ Vinv @ d
        out += -n / 2.0 * val
    return float(out)


def unrestricted_loglik(stats: SampleStats) -> float:
    """Log-likelihood of the saturated model (sample moments)."""
    out = 0.0
    for g, S in enumerate(stats.cov):
        p = S.shape[0]
        out += -stats.n[g] / 2.0 * (p * np.log(2 * np.pi) + stats.logdet[g] + p)
    return float(out)


def _x_loglik(model: Model, stats: SampleStats) -> float:
    """Saturated log-likelihood of the exogenous covariates alone."""
    xi = [model.ov.index(v) for v in model.names.ov_x]
    out = 0.0
    for g, S in enumerate(stats.cov):
        Sx = S[np.ix_(xi, xi)]
        out += -stats.n[g] / 2.0 * (len(xi) * np.log(2 * np.pi) + np.linalg.slogdet(Sx)[1] + len(xi))
    return float(out)


def baseline(model: Model, stats: SampleStats) -> tuple[float, int]:
    """Chi-square and df of lavaan's independence (baseline) model.

    Free variances of the non-exogenous observed variables (and free means), the
    covariance block of the exogenous covariates kept at its sample values (lavaan does so for
    fixed.x TRUE and FALSE).
    """
    ov = model.ov
    xi = [ov.index(v) for v in model.names.ov_x + getattr(model.names, "ov_x_free", ())]
    yi = [i for i in range(len(ov)) if i not in xi]
    chisq = 0.0
    for g, S in enumerate(stats.cov):
        S0 = np.zeros_like(S)
        S0[yi, yi] = np.diag(S)[yi]
        if xi:
            S0[np.ix_(xi, xi)] = S[np.ix_(xi, xi)]
        ld0 = np.linalg.slogdet(S0)[1]
        chisq += stats.n[g] * (ld0 - stats.logdet[g])
    p, px = len(ov), len(xi)
    df = model.ngroups * (p * (p + 1) // 2 - (p - px) - px * (px + 1) // 2)
    return float(chisq), int(df)


def rmsea_ci(chisq: float, df: int, n: int, ngroups: int = 1, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of RMSEA from the noncentral chi-square (lavaan's algorithm)."""
    if df <= 0 or not np.isfinite(chisq):
        return np.nan, np.nan
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def f(lam, target):
        return special.chndtr(chisq, df, lam) - target if lam > 0 else special.chdtr(df, chisq) - target

    def solve(target):
        if f(0.0, target) < 0:
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi, target) > 0:
            hi *= 2
        return optimize.brentq(lambda l: f(l, target), 0.0, hi, xtol=1e-12)

    lam_l = solve(upper_p)
    lam_u = solve(lower_p)
    g = np.sqrt(ngroups)
    return float(np.sqrt(lam_l / (n * df)) * g), float(np.sqrt(lam_u / (n * df)) * g)


def _srmr(model: Model, stats: SampleStats, implied) -> dict:
    out = {k: 0.0 for k in ("srmr_bentler", "srmr_bentler_nomean", "rmr", "rmr_nomean", "crmr", "crmr_nomean")}
    w = stats.weights
    for g, (Sigma, mu) in enumerate(implied):
        S = stats.cov[g]
        p = S.shape[0]
        lo = np.tril_indices(p)
        sd = np.sqrt(np.diag(S))
        R = (S - Sigma) / np.outer(sd, sd)
        e = p * (p + 1) / 2
        r2 = np.sum(R[lo] ** 2)
        raw = np.sum((S - Sigma)[lo] ** 2)
        # correlation residuals (crmr): off-diagonal only
        sdi = np.sqrt(np.diag(Sigma))
        C = S / np.outer(sd, sd) - Sigma / np.outer(sdi, sdi)
        off = np.tril_indices(p, -1)
        c2 = np.sum(C[off] ** 2)
        ec = p * (p - 1) / 2
        m2 = mr = cm = 0.0
        if mu is not None:
            d = stats.mean[g] - mu
            m2 = np.sum((d / sd) ** 2)
            mr = np.sum(d ** 2)
            cm = np.sum((d / sd) ** 2)
            em = p
        else:
            em = 0
        out["srmr_bentler"] += w[g] * np.sqrt((r2 + m2) / (e + em))
        out["srmr_bentler_nomean"] += w[g] * np.sqrt(r2 / e)
        out["rmr"] += w[g] * np.sqrt((raw + mr) / (e + em))
        out["rmr_nomean"] += w[g] * np.sqrt(raw / e)
        out["crmr"] += w[g] * (np.sqrt((c2 + cm) / (ec + em)) if ec + em > 0 else np.nan)
        out["crmr_nomean"] += w[g] * (np.sqrt(c2 / ec) if ec > 0 else np.nan)
    out["srmr"] = out["srmr_bentler"]
    return out


def fit_measures(model: Model, stats: SampleStats, x: np.ndarray, fmin: float | None = None) -> pd.Series:
    """lavaan ``fitMeasures()`` (ML, names with ``_``) for the solution ``x``."""
    from .ml import objective

    implied = model.implied(x)
    F = objective(model, stats, x, need=0)[0] if fmin is None else 2 * fmin
    N = stats.ntotal
    G = model.ngroups
    npar = model.npar
    df = count_df(model)
    chisq = max(N * F, 0.0)          # rounding can make a saturated model's F slightly negative
    pvalue = float(special.chdtrc(df, chisq)) if df > 0 else np.nan
    bchisq, bdf = baseline(model, stats)
    bp = float(special.chdtrc(bdf, bchisq)) if bdf > 0 else np.nan
    d, db = max(chisq - df, 0.0), max(bchisq - bdf, 0.0)
    denom = max(chisq - df, bchisq - bdf, 0.0)
    cfi = 1.0 - d / denom if denom > 0 else 1.0
    cfi = float(min(max(cfi, 0.0), 1.0))
    if df > 0 and bdf > 0:
        t1, t2 = chisq / df, bchisq / bdf
        tli = (t2 - t1) / (t2 - 1.0)
        rfi = max((t2 - t1) / t2, 0.0) if t2 > 0 else np.nan
        rfi = min(rfi, 1.0)
    else:
        tli, rfi = 1.0, np.nan
    nfi = (bchisq - chisq) / bchisq if bchisq > 0 else np.nan
    pnfi = df / bdf * nfi if bdf > 0 else np.nan
    if df > bdf:
        # lavaan reports NFI and RFI as NA when the model has more df than the baseline
        nfi = rfi = np.nan
    ifi = (bchisq - chisq) / (bchisq - df) if bchisq != df else np.nan
    rni = 1.0 - d / db if db > 0 else 1.0
    logl = loglik(model, stats, implied)
    ulogl = unrestricted_loglik(stats)
    if model.names.ov_x:
        # lavaan (fixed.x) reports the likelihood conditional on the exogenous covariates
        xl = _x_loglik(model, stats)
        logl -= xl
        ulogl -= xl
    if df > 0:
        rmsea = float(np.sqrt(max(chisq / (N * df) - 1.0 / N, 0.0)) * np.sqrt(G))
        lo, hi = rmsea_ci(chisq, df, N, G)
        rmsea_p = float(1.0 - special.chndtr(chisq, df, N * df * 0.05 ** 2 / G))
        rmsea_np = float(special.chndtr(chisq, df, N * df * 0.08 ** 2 / G))
    else:
        rmsea, lo, hi, rmsea_p, rmsea_np = 0.0, 0.0, 0.0, np.nan, np.nan
    sr = _srmr(model, stats, implied)
    out = {
        "npar": npar, "fmin": F / 2.0, "chisq": chisq, "df": df, "pvalue": pvalue,
        "baseline_chisq": bchisq, "baseline_df": bdf, "baseline_pvalue": bp,
        "cfi": cfi, "tli": tli, "nnfi": tli, "rfi": rfi, "nfi": nfi, "pnfi": pnfi, "ifi": ifi, "rni": rni,
        "logl": logl, "unrestricted_logl": ulogl,
        "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * np.log(N),
        "ntotal": N, "bic2": -2 * logl + npar * np.log((N + 2) / 24.0),
        "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "rmsea_ci_level": 0.90,
        "rmsea_pvalue": rmsea_p, "rmsea_close_h0": 0.05, "rmsea_notclose_pvalue": rmsea_np,
        "rmsea_notclose_h0": 0.08,
    }
    out.update(sr)
    return pd.Series(out, dtype=float)
