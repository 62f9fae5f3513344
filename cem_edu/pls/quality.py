"""Quality criteria of a PLS path model: reliability, validity, collinearity, effects.

All functions take arrays of one estimate (no batch dimension) unless their name ends in
``_batch``; they are the formulas SmartPLS and seminr report (Hair et al. 2022, ch. 4–7).
"""
from __future__ import annotations

import numpy as np

from ..psychometrics.reliability import _alpha_parts, htmt_matrix

__all__ = ["reliability_table", "vif_outer", "vif_inner", "total_effects_batch", "indirect_paths",
           "mediation_type", "htmt_batch"]


def composite_reliability(loadings: np.ndarray) -> float:
    """ρ_C (Jöreskog 1971) from a block's standardised outer loadings:
    ρ_C = (Σλ)² / ((Σλ)² + Σ(1 − λ²)).  Reference: Hair et al. (2022), ch. 4."""
    s = loadings.sum() ** 2
    return float(s / (s + (1 - loadings ** 2).sum()))


def average_variance_extracted(loadings: np.ndarray) -> float:
    """AVE = Σλ² / k (Fornell & Larcker 1981) from standardised outer loadings."""
    return float((loadings ** 2).mean())


def reliability_table(S: np.ndarray, L: np.ndarray, rho_a: np.ndarray, blocks: list, modes: list) -> list:
    """Rows {alpha, rhoA, rhoC, ave} per construct.

    α is Cronbach's alpha of the standardised indicators (the standardised alpha of
    ``ce.alpha``; SmartPLS and seminr standardise before computing it), ρ_A Dijkstra &
    Henseler (2015), ρ_C and AVE from the PLS outer loadings. Single-indicator blocks give 1.
    For mode-B (formative) blocks the numbers are reported as seminr does but are not
    meaningful (Hair et al. 2022, ch. 5): judge formative blocks by weights and VIF.
    """
    rows = []
    for k, idx in enumerate(blocks):
        lam = L[idx, k]
        if len(idx) < 2:
            rows.append({"alpha": 1.0, "rhoA": 1.0, "rhoC": 1.0, "ave": 1.0})
            continue
        R = S[np.ix_(idx, idx)]
        rows.append({"alpha": float(_alpha_parts(R, R)["std_alpha"]), "rhoA": float(rho_a[k]),
                     "rhoC": composite_reliability(lam), "ave": average_variance_extracted(lam)})
    return rows


def vif_outer(S: np.ndarray, blocks: list) -> list:
    """Indicator VIF within each block: diag((R_kk)⁻¹) (1 for a single indicator)."""
    out = []
    for idx in blocks:
        if len(idx) < 2:
            out.append(np.ones(1))
        else:
            out.append(np.diag(np.linalg.inv(S[np.ix_(idx, idx)])))
    return out


def vif_inner(C: np.ndarray, pred: list) -> np.ndarray:
    """Construct VIF of the predictors of one endogenous construct: diag((C_pp)⁻¹)."""
    if len(pred) < 2:
        return np.ones(len(pred))
    return np.diag(np.linalg.inv(C[np.ix_(pred, pred)]))


def total_effects_batch(paths: np.ndarray) -> np.ndarray:
    """Total effects T = (I − B)⁻¹ − I = B + B² + … for B[cause, effect] (batched)."""
    K = paths.shape[-1]
    eye = np.eye(K)
    return np.linalg.inv(eye - paths) - eye


def indirect_paths(P: np.ndarray) -> list:
    """Every directed route of length ≥ 2 in the structural model, as lists of construct indices."""
    K = P.shape[0]
    succ = [list(np.flatnonzero(P[i])) for i in range(K)]
    routes = []

    def walk(trail):
        for nxt in succ[trail[-1]]:
            route = trail + [nxt]
            if len(route) >= 3:
                routes.append(route)
            walk(route)

    for s in range(K):
        walk([s])
    return routes


def route_values(paths: np.ndarray, routes: list) -> np.ndarray:
    """Specific indirect effects (products of the coefficients along each route), batched (B, R)."""
    out = np.ones(paths.shape[:-2] + (len(routes),))
    for r, route in enumerate(routes):
        for a, b in zip(route[:-1], route[1:]):
            out[..., r] = out[..., r] * paths[..., a, b]
    return out


def mediation_type(indirect_sig: bool, direct_sig: bool | None, same_sign: bool) -> str:
    """Zhao, Lynch & Chen (2010) / Hair et al. (2022, ch. 7) mediation type.

    indirect significant, direct significant, a·b·c > 0 → "complementary" (partial mediation);
      … a·b·c < 0 → "competitive" (partial mediation);
    indirect significant, direct not significant or absent → "indirect-only" (full mediation);
    indirect not significant, direct significant → "direct-only" (no mediation);
    neither → "no-effect" (no mediation).
    """
    if indirect_sig:
        if direct_sig:
            return "complementary" if same_sign else "competitive"
        return "indirect-only"
    return "direct-only" if direct_sig else "no-effect"


def htmt_batch(S: np.ndarray, blocks: list, mean: str = "arithmetic") -> np.ndarray:
    """HTMT / HTMT2 of a batch of correlation matrices (the kit's ``htmt_matrix``)."""
    return htmt_matrix(S, blocks, mean=mean, absolute=True)
