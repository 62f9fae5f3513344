"""Key-driver analysis with Johnson's (2000) relative weights."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import t
from ..validation import check_columns
from ._common import as_frame, to_numeric

__all__ = ["key_drivers", "relative_weights"]


def relative_weights(corr: np.ndarray, r_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Johnson's relative weights from the predictor correlations ``corr`` and validities ``r_xy``.

    With R_xx = Q diag(λ) Qᵀ, Λ = R_xx^{1/2} = Q diag(√λ) Qᵀ (the correlations between the
    predictors X and their closest orthogonal counterparts Z), β = Λ⁻¹ r_xy (the regression of
    y on Z), the raw weight of predictor j is

        ε_j = Σ_k Λ_jk² β_k²,      Σ_j ε_j = βᵀβ = r_xyᵀ R_xx⁻¹ r_xy = R².

    Returns (ε, standardised regression weights R_xx⁻¹ r_xy, R²).

    Reference: Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
    predictor variables in multiple regression. Multivariate Behavioral Research 35(1), 1–19.
    """
    corr = np.asarray(corr, dtype=float)
    r_xy = np.asarray(r_xy, dtype=float)
    lam, q = np.linalg.eigh(corr)
    if lam.min() <= 1e-10:
        raise DataError(t("cx.err.drivers_collinear"))
    half = q @ np.diag(np.sqrt(lam)) @ q.T
    beta_z = np.linalg.solve(half, r_xy)
    eps = (half ** 2) @ (beta_z ** 2)
    beta = np.linalg.solve(corr, r_xy)
    return eps, beta, float(beta_z @ beta_z)


def key_drivers(data, target: str, predictors: list[str]) -> pd.DataFrame:
    """Rank the drivers of ``target`` by Johnson's (2000) relative weights.

    Relative weights split the model R² into non-negative shares that add up to R², one per
    predictor, even when the predictors are correlated (as experience clues always are):
    the predictors are replaced by their closest orthogonal counterparts, y is regressed on
    those, and each share is mapped back (see :func:`relative_weights` for the formula).

    Parameters
    ----------
    data : DataFrame (or ``ce.clean`` result) with the target and predictor columns (e.g. the
        construct scores from ``inst.score(data)``).
    target : column name of the outcome.
    predictors : column names of the drivers.

    Returns
    -------
    DataFrame, one row per predictor sorted by weight: predictor, r (zero-order correlation with
    the target), beta (standardised regression weight), raw_weight (ε_j), rescaled (% of R²),
    rank. ``attrs``: r2, n (complete cases used, listwise deletion), n_excluded.

    References
    ----------
    Johnson, J. W. (2000). Multivariate Behavioral Research 35(1), 1–19.
    Tonidandel, S., & LeBreton, J. M. (2011). Relative importance analysis: a useful supplement to
    regression analysis. Journal of Business and Psychology 26(1), 1–9.

    Examples
    --------
    mtcars, mpg ~ cyl + disp + hp + gear: R² = 0.779, raw weights 0.228, 0.222, 0.232, 0.096
    (the example of the R package rwa).
    """
    frame = as_frame(data)
    predictors = list(predictors)
    if not predictors:
        raise DataError(t("cx.err.drivers_no_predictor"))
    if target in predictors:
        raise DataError(t("cx.err.drivers_target_is_predictor", target=target))
    check_columns(frame, [target, *predictors], what="key_drivers")
    num = pd.DataFrame({c: to_numeric(frame[c], c) for c in [target, *predictors]}, index=frame.index)
    complete = num.dropna()
    n = len(complete)
    if n <= len(predictors) + 1:
        raise DataError(t("cx.err.drivers_too_few_rows", n=n, k=len(predictors)))
    const = [c for c in complete.columns if complete[c].std(ddof=1) == 0]
    if const:
        raise DataError(t("cx.err.drivers_constant", columns=", ".join(map(repr, const))))
    r = complete.corr().to_numpy()
    eps, beta, r2 = relative_weights(r[1:, 1:], r[1:, 0])
    out = pd.DataFrame({"predictor": predictors, "r": r[1:, 0], "beta": beta, "raw_weight": eps,
                        "rescaled": 100 * eps / r2 if r2 > 0 else np.nan})
    out = out.sort_values("raw_weight", ascending=False).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out.attrs.update(r2=r2, n=n, n_excluded=len(num) - n, target=target)
    return out
