"""The PLS path-modelling algorithm on indicator correlation matrices, batched.

With standardised indicators (mean 0, SD with n − 1) everything the PLS algorithm computes is
a function of the indicator correlation matrix S. Writing it on S lets one code path estimate
one model (a batch of one) or thousands of bootstrap / permutation samples at once (a batch of
B matrices, ``S.shape == (B, p, p)``), with numpy's batched matrix products and solves.

Lohmöller's (1989) algorithm, as SmartPLS and seminr run it:

0. outer weights W start at 1 for each indicator of its own construct; each column is scaled
   so that its composite Y = XW has unit variance: w_k ← w_k / √(w_k' S w_k).
1. inner weights E (K × K) from the composite correlations C = W'SW:
     centroid   e_ij = sign(c_ij) for adjacent i, j (Wold 1982);
     factorial  e_ij = c_ij for adjacent i, j (Lohmöller 1989);
     path       for a successor i of j, e_ij = c_ij; for the predecessors of j, the
                coefficients of the OLS regression of Y_j on them (Lohmöller 1989).
   The inner proxy of construct j is Z_j = Σ_i e_ij Y_i; cov(X, Z) = S W E.
2. outer weights: mode A  w_k ∝ cov(x_k, Z_k)  (correlation weights, reflective blocks);
                  mode B  w_k ∝ S_kk⁻¹ cov(x_k, Z_k)  (regression weights, formative blocks);
   then rescaled to unit composite variance as in 0.
3. stop when Σ|W_new − W_old| < tol (1e-7, as seminr / SmartPLS), else go to 1; at most
   ``max_iter`` (300) iterations.

Then: loadings Λ = S W (item–composite correlations), path coefficients by OLS on C per
endogenous construct, β_j = C_pp⁻¹ c_pj, R²_j = β_j' c_pj.

The iteration count follows semPLS / seminr: the number of weight updates before the one
that met the criterion (the ECSI model converges "after 6 iterations").

PLSc (Dijkstra & Henseler 2015, MIS Quarterly 39(2)): for each mode-A block with weights w
(unit-variance composite) the correction factor

    c² = w'(S − diag S)w / w'(ww' − diag(ww'))w,     ρ_A = (w'w)² c²,

consistent loadings λ = c·w, and construct correlations disattenuated by √(ρ_A,i ρ_A,j)
(ρ_A = 1 for mode-B and single-indicator blocks); paths and R² by OLS on the corrected
correlations.

References: Lohmöller, J.-B. (1989). Latent Variable Path Modeling with Partial Least Squares.
Physica. Wold, H. (1982). Soft modeling. Dijkstra, T. K., & Henseler, J. (2015). Consistent
partial least squares path modeling. MIS Quarterly 39(2), 297–316.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Core", "estimate_batch", "WEIGHTINGS", "correlation_batch", "plsc_batch"]

WEIGHTINGS = ("path", "centroid", "factorial")


@dataclass
class Core:
    """Arrays of a batch of PLS estimates (leading dimension B).

    W (B,p,K) outer weights; L (B,p,K) item–composite correlations (loadings in the own
    block, cross-loadings elsewhere); C (B,K,K) composite correlations; B_ (B,K,K) path
    coefficients [cause, effect]; r2 (B,K) (NaN for exogenous); iterations (B,) and
    converged (B,) per sample.
    """

    W: np.ndarray
    L: np.ndarray
    C: np.ndarray
    paths: np.ndarray
    r2: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray


def correlation_batch(X: np.ndarray, freq: np.ndarray | None = None, *, moments: bool = False):
    """Correlation matrices of the data X (n × p), or of weighted samples with row counts ``freq``
    (B × n: bootstrap resamples, or 0/1 training-fold indicators).

    For sample b with n_b = Σ f_i: S_b = cov_b / (sd_b sd_b'),
    cov_b = (Σ f_i x_i x_i' − n_b m_b m_b')/(n_b − 1), m_b = Σ f_i x_i / n_b, computed as one
    product F · [x_i ⊗ x_i] (no copies of the data). With ``moments=True`` also returns the
    sample means and SDs (B × p).
    """
    X = np.asarray(X, float)
    n, p = X.shape
    center = X.mean(axis=0)
    Xc = X - center
    if freq is None:
        freq = np.ones((1, n))
    freq = np.asarray(freq, float)
    nb = freq.sum(axis=1)
    m = freq @ Xc / nb[:, None]                                          # (B, p)
    cross = (freq @ (Xc[:, :, None] * Xc[:, None, :]).reshape(n, p * p)).reshape(-1, p, p)
    cov = (cross - nb[:, None, None] * m[:, :, None] * m[:, None, :]) / (nb - 1)[:, None, None]
    sd = np.sqrt(np.clip(np.einsum("bii->bi", cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        S = cov / (sd[:, :, None] * sd[:, None, :])
    if moments:
        return S, m + center, sd
    return S


def _normalise(S, W, SW=None):
    """Scale each column of W to unit composite variance, w_k / √(w_k' S w_k); returns (W, SW)."""
    if SW is None:
        SW = S @ W
    var = (W * SW).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = 1.0 / np.sqrt(var)[:, None, :]
    return W * f, SW * f


def _ols(C, pred, j):
    """β (B, len(pred)) of the regression of composite j on composites ``pred``."""
    A = C[:, pred][:, :, pred]
    b = C[:, pred, j]
    return np.linalg.solve(A, b[..., None])[..., 0]


def _inner(C, P, pred_lists, weighting):
    adj = P + P.T
    if weighting == "centroid":
        return np.sign(C) * adj
    if weighting == "factorial":
        return C * adj
    E = C * P.T                                   # e_ij = c_ij when j → i (i a successor of j)
    for j, pred in enumerate(pred_lists):
        if pred:
            E[:, pred, j] = _ols(C, pred, j)
    return E


def estimate_batch(S: np.ndarray, mask: np.ndarray, modes: list, P: np.ndarray, blocks: list, *,
                   weighting: str = "path", tol: float = 1e-7, max_iter: int = 300) -> Core:
    """Run the PLS algorithm on each correlation matrix of ``S`` (B, p, p); see the module docstring."""
    S = np.asarray(S, float)
    Bn, p, _ = S.shape
    K = mask.shape[1]
    pred_lists = [list(np.flatnonzero(P[:, j])) for j in range(K)]
    modeB = [k for k in range(K) if modes[k] == "B" and len(blocks[k]) > 1]
    inv_blocks = {k: np.linalg.inv(S[:, blocks[k]][:, :, blocks[k]]) for k in modeB}
    W, SW = _normalise(S, np.broadcast_to(mask, (Bn, p, K)).copy())
    iterations = np.zeros(Bn, dtype=int)
    converged = np.zeros(Bn, dtype=bool)
    it = 0
    while True:
        C = np.swapaxes(W, 1, 2) @ SW
        E = _inner(C, P, pred_lists, weighting)
        G = SW @ E                                      # cov(x, inner proxy), (B, p, K)
        Wn = G * mask
        for k in modeB:
            idx = blocks[k]
            Wn[:, idx, k] = (inv_blocks[k] @ G[:, idx, k][..., None])[..., 0]
        Wn, SW = _normalise(S, Wn)
        diff = np.abs(Wn - W).sum(axis=(1, 2))
        W = Wn
        newly = (~converged) & (diff < tol)
        iterations[newly] = it
        converged |= newly
        if converged.all() or it >= max_iter:
            break
        it += 1
    iterations[~converged] = it
    L = SW
    C = np.swapaxes(W, 1, 2) @ L
    paths, r2 = structural(C, P, pred_lists)
    return Core(W=W, L=L, C=C, paths=paths, r2=r2, iterations=iterations, converged=converged)


def structural(C: np.ndarray, P: np.ndarray, pred_lists=None):
    """Path coefficients [cause, effect] and R² from composite correlations C (B, K, K)."""
    K = P.shape[0]
    if pred_lists is None:
        pred_lists = [list(np.flatnonzero(P[:, j])) for j in range(K)]
    Bn = C.shape[0]
    paths = np.zeros((Bn, K, K))
    r2 = np.full((Bn, K), np.nan)
    for j, pred in enumerate(pred_lists):
        if pred:
            beta = _ols(C, pred, j)
            paths[:, pred, j] = beta
            r2[:, j] = (beta * C[:, pred, j]).sum(axis=1)
    return paths, r2


def plsc_batch(S: np.ndarray, core: Core, mask: np.ndarray, modes: list, P: np.ndarray, blocks: list):
    """Consistent PLS (PLSc): ρ_A per construct, consistent loadings, corrected correlations,
    paths and R² (Dijkstra & Henseler 2015; see the module docstring)."""
    rho = rho_a_batch(S, core.W, modes, blocks)
    Bn, p, K = core.W.shape
    Lc = core.L * mask
    for k in range(K):
        idx = blocks[k]
        if modes[k] == "A" and len(idx) > 1:
            w = core.W[:, idx, k]
            ww = (w * w).sum(axis=1)
            c = np.sqrt(rho[:, k]) / ww                    # ρ_A = (w'w)² c²  ⇒  c = √ρ_A / w'w
            Lc[:, idx, k] = c[:, None] * w
    with np.errstate(invalid="ignore"):
        sq = np.sqrt(rho)
        Cc = core.C / (sq[:, :, None] * sq[:, None, :])
    idx_k = np.arange(K)
    Cc[:, idx_k, idx_k] = 1.0
    paths, r2 = structural(Cc, P)
    return rho, Lc, Cc, paths, r2


def rho_a_batch(S: np.ndarray, W: np.ndarray, modes: list, blocks: list) -> np.ndarray:
    """Dijkstra–Henseler ρ_A (B, K): (w'w)² · w'(S − diag S)w / w'(ww' − diag(ww'))w for mode-A
    blocks with ≥ 2 indicators; 1 for mode-B and single-indicator blocks (as seminr/SmartPLS)."""
    Bn, p, K = W.shape
    rho = np.ones((Bn, K))
    for k in range(K):
        idx = blocks[k]
        if modes[k] != "A" or len(idx) < 2:
            continue
        w = W[:, idx, k]
        Skk = S[:, idx][:, :, idx]
        num = np.einsum("bi,bij,bj->b", w, Skk, w) - np.einsum("bi,bii,bi->b", w, Skk, w)
        ww = (w * w).sum(axis=1)
        den = ww ** 2 - (w ** 4).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rho[:, k] = ww ** 2 * num / den
    return rho
