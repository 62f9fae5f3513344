"""Polychoric correlations of ordinal items, as ``psych::polychoric`` (two-step, global thresholds).

A Likert answer is read as a cut-up normal variable: answer c means the latent value lies between
thresholds τ_{c−1} and τ_c. Step 1 takes the thresholds of each item from its own answer
proportions, τ_c = Φ⁻¹(cumulative proportion ≤ c) ("global" thresholds, psych's default when all
items have the same number of answer options). Step 2 finds, for each pair, the correlation ρ of
the bivariate normal that maximises the likelihood of the pair's cross-table,

    ℓ(ρ) = Σ_ij p_ij · log P_ij(ρ),   P_ij = Φ₂(τ_i, τ_j; ρ) rectangle probabilities,

using the rows where both items were answered. If the resulting matrix is not positive definite it
is smoothed as ``psych::cor.smooth`` (eigenvalues below 1e-12 raised, rescaled, back to a
correlation matrix). When items have different numbers of observed categories psych switches to
per-pair thresholds with a 0.5 continuity correction for empty cells; so does this function.

References: Olsson (1979), Psychometrika 44, 443–460. Revelle, psych::polychoric.
Bivariate normal probabilities by Sheppard's (1898) integral with Gauss–Legendre quadrature.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

from .constructs import verbatim
from .moments import single_thread
from ..errors import DataError
from ..i18n import t

__all__ = ["polychoric_matrix", "bivariate_normal_cdf", "bivariate_normal_pdf"]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
# 20 nodes integrate Sheppard's formula to double precision for |ρ| < 0.925 (Genz, 2004, Statistics and
# Computing 14, 251–260, uses the same 20-point rule there); the 64-node rule is kept for larger |ρ|.
_NODES20, _WEIGHTS20 = np.polynomial.legendre.leggauss(20)
_BIG = 38.0


def bivariate_normal_cdf(h, k, rho) -> np.ndarray:
    """Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k) for standard normals with correlation ρ (|ρ| < 1), vectorised.

    Φ₂ = Φ(h)Φ(k) + (1/2π) ∫₀^{asin ρ} exp(−(h² + k² − 2hk sin θ) / (2 cos²θ)) dθ.
    ``rho`` is a scalar or an array that broadcasts with ``h`` and ``k`` (one ρ per element).
    """
    h = np.clip(np.asarray(h, dtype=float), -_BIG, _BIG)
    k = np.clip(np.asarray(k, dtype=float), -_BIG, _BIG)
    base = special.ndtr(h) * special.ndtr(k)
    if np.ndim(rho) == 0 and rho == 0:
        return base
    rho = np.asarray(rho, dtype=float)
    nodes, weights = (_NODES20, _WEIGHTS20) if np.max(np.abs(rho)) < 0.925 else (_NODES, _WEIGHTS)
    a = np.arcsin(rho)
    theta = 0.5 * a[..., None] * (nodes + 1)
    s, c2 = np.sin(theta), np.cos(theta) ** 2
    hh, kk = h[..., None], k[..., None]
    integrand = np.exp(-(hh * hh + kk * kk - 2 * hh * kk * s) / (2 * c2))
    return base + 0.5 * a * (integrand @ weights) / (2 * np.pi)


def bivariate_normal_pdf(h, k, rho) -> np.ndarray:
    """φ₂(h, k; ρ) = exp(−(h² − 2ρhk + k²) / (2(1 − ρ²))) / (2π √(1 − ρ²)); 0 at ±∞."""
    h = np.clip(np.asarray(h, dtype=float), -_BIG, _BIG)
    k = np.clip(np.asarray(k, dtype=float), -_BIG, _BIG)
    r2 = 1.0 - np.asarray(rho, dtype=float) ** 2
    return np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * r2)) / (2 * np.pi * np.sqrt(r2))


def _cell_probs(rho: float, rc: np.ndarray, cc: np.ndarray) -> np.ndarray:
    r = np.concatenate([[-np.inf], rc, [np.inf]])
    c = np.concatenate([[-np.inf], cc, [np.inf]])
    F = bivariate_normal_cdf(r[:, None], c[None, :], rho)
    return F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]


def _neg_loglik(rho, rc, cc, tab):
    P = _cell_probs(rho, rc, cc)
    ok = (P > 0) & (tab > 0)
    return -np.sum(tab[ok] * np.log(P[ok]))


def _pair(x, y, tx, ty, lo, hi, global_tau: bool, correct: float):
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() == 0:
        return np.nan
    nc = hi - lo + 1
    tab = np.zeros((nc, nc))
    np.add.at(tab, ((x[ok] - lo).astype(int), (y[ok] - lo).astype(int)), 1)
    tot = tab.sum()
    tab = tab / tot
    if not global_tau:
        tab = tab[tab.sum(axis=1) > 0][:, tab.sum(axis=0) > 0]
        if min(tab.shape) < 2:
            return np.nan
        if correct > 0 and np.any(tab == 0):
            tab = np.where(tab == 0, correct / tot, tab)
        tx = special.ndtri(np.cumsum(tab.sum(axis=1))[:-1])
        ty = special.ndtri(np.cumsum(tab.sum(axis=0))[:-1])
    res = optimize.minimize_scalar(_neg_loglik, bounds=(-0.99999, 0.99999), args=(tx, ty, tab), method="bounded",
                                   options={"xatol": 1e-9})
    return float(res.x)


def _smooth(r: np.ndarray, eig_tol: float = 1e-12) -> np.ndarray:
    w, v = np.linalg.eigh(r)
    if w.min() >= np.finfo(float).eps:
        return r
    w = np.where(w < eig_tol, 100 * eig_tol, w)
    w = w * r.shape[0] / w.sum()
    s = (v * w) @ v.T
    d = 1 / np.sqrt(np.diag(s))
    return s * np.outer(d, d)


@single_thread
def polychoric_matrix(data: pd.DataFrame, correct: float = 0.5, max_categories: int = 8,
                      smooth: bool = True) -> pd.DataFrame:
    """Polychoric correlation matrix of ordinal (integer-coded) items, as ``psych::polychoric(x)$rho``.

    Raises DataError for non-integer answers or more than ``max_categories`` answer options (psych's
    limit: with many options Pearson correlations are adequate).
    """
    df = pd.DataFrame(data)
    x = df.to_numpy(dtype=float)
    fin = x[np.isfinite(x)]
    if fin.size == 0 or np.any(fin != np.round(fin)):
        raise DataError(t("polychoric.not_integer", columns=verbatim(list(df.columns))))
    lo, hi = int(fin.min()), int(fin.max())
    nvalues = hi - lo + 1
    if nvalues > max_categories:
        raise DataError(t("polychoric.too_many", n=nvalues, max=max_categories))
    p = x.shape[1]
    maxes = [np.nanmax(x[:, j]) for j in range(p)]
    global_tau = min(maxes) == max(maxes)
    taus = []
    for j in range(p):
        col = x[:, j][np.isfinite(x[:, j])]
        freq = np.bincount((col - lo).astype(int), minlength=nvalues) / col.size
        taus.append(special.ndtri(np.cumsum(freq)[:-1]))
    r = np.eye(p)
    for i in range(1, p):
        for j in range(i):
            r[i, j] = r[j, i] = _pair(x[:, i], x[:, j], taus[i], taus[j], lo, hi, global_tau, correct)
    if smooth and np.all(np.isfinite(r)):
        r = _smooth(r)
    return pd.DataFrame(r, index=df.columns, columns=df.columns)


