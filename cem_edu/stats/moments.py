"""Covariances and correlations with pairwise deletion, as R's ``cov/cor(x, use = "pairwise")``.

Vectorised: with ``M`` the 0/1 matrix of observed answers and ``X0`` the data with missing set to 0,
every pairwise count, sum and cross-product is a matrix product, so 30 items × 100,000 rows take a
few milliseconds. Without missing values the ordinary ``np.cov``/``np.corrcoef`` path is used.
"""
from __future__ import annotations

import numpy as np

__all__ = ["pairwise_cov", "pairwise_cor", "pairwise_cov_cor", "smc"]


def _pieces(x: np.ndarray):
    m = np.isfinite(x)
    k = x.shape[1]
    a = np.empty((x.shape[0], 3 * k), order="F")
    a[:, :k] = np.where(m, x, 0.0)
    a[:, k:2 * k] = a[:, :k] ** 2
    a[:, 2 * k:] = m
    g = a.T @ a                         # one product gives every pairwise count, sum and cross-product
    sxy = g[:k, :k]                     # sum of x_i x_j over rows where both are answered
    sx = g[:k, 2 * k:]                  # sx[i, j]: sum of x_i over rows where i and j are answered
    sxx = g[k:2 * k, 2 * k:]            # sum of x_i^2 over those rows
    n = g[2 * k:, 2 * k:]               # n[i, j]: rows where i and j are both answered
    return n, sx, sxx, sxy


def pairwise_cov(x: np.ndarray) -> np.ndarray:
    """Covariance matrix (n−1 divisor), each entry from the rows where both items were answered."""
    x = np.asarray(x, dtype=float)
    if np.isfinite(x).all():
        return np.atleast_2d(np.cov(x, rowvar=False))
    n, sx, _, sxy = _pieces(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sxy - sx * sx.T / n) / (n - 1)


def pairwise_cor(x: np.ndarray) -> np.ndarray:
    """Correlation matrix; each entry uses the means and SDs of the rows where both were answered (as R)."""
    x = np.asarray(x, dtype=float)
    if np.isfinite(x).all():
        return np.atleast_2d(np.corrcoef(x, rowvar=False))
    n, sx, sxx, sxy = _pieces(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        vi = sxx - sx * sx / n          # variance of x_i over pair rows (times n-1)
        r = cov / np.sqrt(vi * vi.T)
    np.fill_diagonal(r, 1.0)
    return r


def pairwise_cov_cor(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both pairwise matrices from one pass over the data (as R's cov and cor, use = "pairwise")."""
    x = np.asarray(x, dtype=float)
    if np.isfinite(x).all():
        c = np.atleast_2d(np.cov(x, rowvar=False))
        d = np.sqrt(np.diag(c))
        return c, c / np.outer(d, d)
    n, sx, sxx, sxy = _pieces(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        vi = sxx - sx * sx / n
        r = cov / np.sqrt(vi * vi.T)
        cov = cov / (n - 1)
    np.fill_diagonal(r, 1.0)
    return cov, r


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations 1 − 1/diag(R⁻¹) (psych::smc), pseudo-inverse if R is singular."""
    r = np.asarray(r, dtype=float)
    if r.shape[0] == 1:
        return np.ones(1)
    try:
        inv = np.linalg.inv(r)
        if not np.all(np.isfinite(inv)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    out = 1.0 - 1.0 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)
