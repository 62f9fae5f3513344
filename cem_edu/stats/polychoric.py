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

All pairs are solved at once by Fisher scoring on ρ (``polychoric_twostep``, shared with lavaan's
``ordered=`` estimator in :mod:`cem_edu.sem.categorical`, which uses lavaan's bound |ρ| ≤ 0.999 and no
correction).

References: Olsson (1979), Psychometrika 44, 443–460. Revelle, psych::polychoric.
Bivariate normal probabilities by Sheppard's (1898) integral with Gauss–Legendre quadrature.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from .threads import blas_single_threaded
from ..errors import DataError
from ..i18n import t

__all__ = ["polychoric_matrix", "polychoric_twostep", "pair_tables", "bivariate_normal_cdf", "bivariate_normal_pdf"]

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


def bounds(th_list, kmax):
    """Padded lower/upper bounds of each category: (nvar, kmax) arrays (padding: +inf, +inf)."""
    nv = len(th_list)
    lo = np.full((nv, kmax), np.inf)
    up = np.full((nv, kmax), np.inf)
    for j, th in enumerate(th_list):
        k = len(th) + 1
        lo[j, :k] = np.r_[-np.inf, th]
        up[j, :k] = np.r_[th, np.inf]
    return lo, up


def cell_probabilities(rho, lo1, up1, lo2, up2):
    """Cell probabilities P and dP/dρ for pairs: inputs (npair, kmax) bounds, rho (npair,).

    Φ₂ and φ₂ are evaluated once on the grid of category boundaries and differenced.
    """
    r = rho[:, None, None]
    b1 = np.concatenate([lo1[:, :1], up1], axis=1)[:, :, None]
    b2 = np.concatenate([lo2[:, :1], up2], axis=1)[:, None, :]
    F = bivariate_normal_cdf(b1, b2, r)
    f = bivariate_normal_pdf(b1, b2, r)
    P = F[:, 1:, 1:] - F[:, :-1, 1:] - F[:, 1:, :-1] + F[:, :-1, :-1]
    dP = f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]
    return P, dP


def pair_tables(codes: np.ndarray, I, J, kmax: int) -> np.ndarray:
    """Cross-tables (npair, kmax, kmax) of the item pairs (I[m], J[m]) of integer codes 0..kmax−1 (−1 = missing),
    over the rows where both items were answered."""
    npair = len(I)
    tab = np.zeros((npair, kmax, kmax))
    if npair == 0:
        return tab
    a, b = codes[:, I], codes[:, J]
    ok = (a >= 0) & (b >= 0)
    np.add.at(tab, (np.broadcast_to(np.arange(npair), a.shape)[ok], a[ok], b[ok]), 1.0)
    return tab


def polychoric_twostep(tab, lo1, up1, lo2, up2, start=None, tol=1e-11, max_iter=100, bound=0.999):
    """Two-step polychoric correlations of many pairs at once (Fisher scoring on ρ, |ρ| ≤ ``bound``).

    ``tab`` (npair, kmax, kmax) counts,
    bounds as from ``_bounds``. Returns ρ (npair,).
    """
    npair = tab.shape[0]
    rho = np.zeros(npair) if start is None else np.clip(np.asarray(start, float), -0.99, 0.99)
    nn = tab.sum(axis=(1, 2))
    active = np.ones(npair, bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        P, dP = cell_probabilities(rho[idx], lo1[idx], up1[idx], lo2[idx], up2[idx])
        pos = P > 1e-300
        Ps = np.where(pos, P, 1.0)
        grad = np.sum(np.where(pos, tab[idx] * dP / Ps, 0.0), axis=(1, 2))
        info = nn[idx] * np.sum(np.where(pos, dP * dP / Ps, 0.0), axis=(1, 2))
        step = grad / np.where(info > 0, info, 1.0)
        new = np.clip(rho[idx] + step, -bound, bound)
        done = np.abs(new - rho[idx]) < tol          # converged, or held at the bound
        rho[idx] = new
        active[idx[done]] = False
    return rho


def _smooth(r: np.ndarray, eig_tol: float = 1e-12) -> np.ndarray:
    w, v = np.linalg.eigh(r)
    if w.min() >= np.finfo(float).eps:
        return r
    w = np.where(w < eig_tol, 100 * eig_tol, w)
    w = w * r.shape[0] / w.sum()
    s = (v * w) @ v.T
    d = 1 / np.sqrt(np.diag(s))
    return s * np.outer(d, d)


@blas_single_threaded
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
        raise DataError(t("polychoric.not_integer", columns=", ".join(map(str, df.columns))))
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
    I, J = np.tril_indices(p, -1)
    codes = np.where(np.isfinite(x), x - lo, -1).astype(int)
    tab = pair_tables(codes, I, J, nvalues)
    th1, th2, keep = [taus[i] for i in I], [taus[j] for j in J], tab.sum(axis=(1, 2)) > 0
    if not global_tau:
        # psych: thresholds of each pair from its own table (empty rows/columns dropped, empty cells + correct)
        for m in range(len(I)):
            T = tab[m][tab[m].sum(axis=1) > 0][:, tab[m].sum(axis=0) > 0]
            if min(T.shape) < 2:
                keep[m] = False
                continue
            tot = T.sum()
            if correct > 0 and np.any(T == 0):
                T = np.where(T == 0, correct, T)
            tab[m] = 0.0
            tab[m][:T.shape[0], :T.shape[1]] = T
            th1[m] = special.ndtri(np.cumsum(T.sum(axis=1))[:-1] / tot)    # psych: not renormalised
            th2[m] = special.ndtri(np.cumsum(T.sum(axis=0))[:-1] / tot)
    lo1, up1 = bounds(th1, nvalues)
    lo2, up2 = bounds(th2, nvalues)
    rho = np.full(len(I), np.nan)
    k = np.flatnonzero(keep)
    rho[k] = polychoric_twostep(tab[k], lo1[k], up1[k], lo2[k], up2[k], bound=0.99999)
    r = np.eye(p)
    r[I, J] = r[J, I] = rho
    if smooth and np.all(np.isfinite(r)):
        r = _smooth(r)
    return pd.DataFrame(r, index=df.columns, columns=df.columns)


