"""Factor rotations, written to reproduce R exactly (same algorithms, start values and tolerances).

* ``varimax`` — ``stats::varimax`` (Kaiser normalisation, eps = 1e-5), which psych::fa calls.
* ``promax`` — psych::fa(rotate = "promax"): Kaiser-normalised ``psych::Promax`` (varimax, then
  target L·|L|^(m−1), m = 4, least squares, columns rescaled).
* ``oblimin`` — ``GPArotation::oblimin`` (gamma = 0, i.e. quartimin): the gradient projection
  algorithm for oblique rotation (``GPFoblq``), identity start, eps = 1e-5, maxit = 1000.

Each returns ``(loadings, Phi or None, rotation matrix)``.

References: Kaiser (1958), Psychometrika 23, 187–200. Hendrickson & White (1964), British Journal
of Statistical Psychology 17, 65–70. Jennrich (2002), Psychometrika 67, 7–19. Bernaards & Jennrich
(2005), Educational and Psychological Measurement 65, 676–696.
"""
from __future__ import annotations

import numpy as np

__all__ = ["varimax", "promax", "oblimin", "rotate"]


def varimax(L: np.ndarray, normalize: bool = True, eps: float = 1e-5, maxit: int = 1000):
    """Varimax rotation, a line-by-line port of R's ``stats::varimax``."""
    L = np.asarray(L, dtype=float)
    p, nc = L.shape
    if nc < 2:
        return L.copy(), None, np.eye(nc)
    x = L
    if normalize:
        sc = np.sqrt((x ** 2).sum(axis=1))
        x = x / sc[:, None]
    T = np.eye(nc)
    d = 0.0
    for _ in range(maxit):
        z = x @ T
        B = x.T @ (z ** 3 - z @ np.diag((z ** 2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        dpast, d = d, s.sum()
        if d < dpast * (1 + eps):
            break
    z = x @ T
    if normalize:
        z = z * sc[:, None]
    return z, None, T


def promax(L: np.ndarray, m: float = 4.0):
    """Promax as psych::fa(rotate = "promax"): ``kaiser(L, rotate = "Promax")``, power m = 4.

    Rows are Kaiser-normalised (divided by √h²), varimax-rotated, the target Q = X·|X|^(m−1) is
    approximated by least squares X·U ≈ Q, U's columns rescaled so the factors have unit variance,
    and the rows scaled back. Φ = U⁻¹U⁻ᵀ.
    """
    L = np.asarray(L, dtype=float)
    h = np.sqrt((L ** 2).sum(axis=1))
    w = L / h[:, None]
    x, _, T = varimax(w)
    Q = x * np.abs(x) ** (m - 1)
    U = np.linalg.lstsq(x, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U @ np.diag(np.sqrt(d))
    z = x @ U
    U = T @ U
    ui = np.linalg.inv(U)
    phi = ui @ ui.T
    return z * h[:, None], phi, U


def _vgq_oblimin(L: np.ndarray, gam: float = 0.0):
    """GPArotation's vgQ.oblimin: criterion f and its gradient Gq."""
    k = L.shape[1]
    N = np.ones((k, k)) - np.eye(k)
    L2 = L ** 2
    X = L2 @ N
    if gam != 0:
        p = L.shape[0]
        X = (np.eye(p) - gam * np.ones((p, p)) / p) @ X
    return float((L2 * X).sum() / 4), L * X


def oblimin(A: np.ndarray, gam: float = 0.0, eps: float = 1e-5, maxit: int = 1000):
    """Oblimin rotation by gradient projection, a port of GPArotation::GPFoblq (normalize = FALSE).

    Minimises Σ_i Σ_{j≠l} λ_ij² λ_il² / 4 (gamma = 0, quartimin) over oblique rotations
    L = A·T⁻ᵀ with unit-length columns of T; Φ = TᵀT.
    """
    A = np.asarray(A, dtype=float)
    k = A.shape[1]
    T = np.eye(k)
    al = 1.0
    L = A @ np.linalg.inv(T).T
    f, Gq = _vgq_oblimin(L, gam)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    converged = False
    for _ in range(maxit + 1):
        Gp = G - T @ np.diag((T * G).sum(axis=0))
        s = np.sqrt(np.sum(Gp ** 2))
        if s < eps:
            converged = True
            break
        al *= 2
        for _ in range(11):
            X = T - al * Gp
            v = 1 / np.sqrt((X ** 2).sum(axis=0))
            Tt = X * v
            L = A @ np.linalg.inv(Tt).T
            ft, Gqt = _vgq_oblimin(L, gam)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2
        T = Tt
        f = ft
        G = -(L.T @ Gqt @ np.linalg.inv(Tt)).T
    L = A @ np.linalg.inv(T).T
    return L, T.T @ T, T, converged


def rotate(L: np.ndarray, method: str):
    """Dispatch: returns (loadings, Phi or None)."""
    if method == "none":
        return L.copy(), None
    if method == "varimax":
        z, _, _ = varimax(L)
        return z, None
    if method == "promax":
        z, phi, _ = promax(L)
        return z, phi
    if method == "oblimin":
        z, phi, _, _ = oblimin(L)
        return z, phi
    raise ValueError(method)
