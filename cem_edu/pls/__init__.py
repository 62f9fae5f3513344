"""PLS-SEM: partial least squares path modelling as SmartPLS and seminr report it.

``ce.pls(model, data, ...)`` -> :class:`~cem_edu.pls.result.PLSResult`. The estimator is the
kit's own, written on indicator correlation matrices so that thousands of bootstrap samples
run as one batch (:mod:`cem_edu.pls.algorithm`); README ("PLS-SEM") says why no PyPI package
is used. This file stays light: ``import cem_edu`` binds ``ce.pls`` without loading the estimator.
"""
from __future__ import annotations

__all__ = ["pls", "PLSResult"]


def pls(model: str, data, *, weighting: str = "path", consistent: bool = False, bootstrap: int = 0,
        seed=None, ci: str = "percentile", level: float = 0.95, missing: str = "mean", tol: float = 1e-7,
        max_iter: int = 300, progress: bool = True, interactions=None):
    """Estimate a PLS path model (PLS-SEM) written in lavaan-style syntax.

    ``X =~ x1 + x2`` is a reflective block (mode A), ``X <~ x1 + x2`` a formative block
    (mode B), ``Y ~ X + Z`` the structural model; ``a*X`` labels a path for ``ind := a*b``.
    ``inst.model()`` works unchanged (covariances ``~~`` between constructs are not PLS
    parameters; see ``res.notes``).

    Defaults are SmartPLS's and seminr's: indicators standardised (SD with n − 1), path
    weighting, stop criterion Σ|Δw| < 1e-7, at most 300 iterations, missing answers replaced by
    the indicator mean.

    Parameters
    ----------
    model : lavaan-style model text.
    data : DataFrame or ``ce.clean`` result.
    weighting : inner weighting scheme, "path" (default), "centroid" or "factor" (factorial).
    consistent : PLSc (Dijkstra & Henseler 2015) for the reflective (mode A) constructs.
    bootstrap : number of bootstrap draws (0 = none; SmartPLS suggests 5,000 for final results).
    seed : seed of the bootstrap draws (reproducible results).
    ci : "percentile" (default) or "bca" bootstrap confidence intervals; level: their coverage.
    missing : "mean" (mean replacement, default) or "listwise".
    tol, max_iter : stop criterion and iteration limit of the PLS algorithm.
    progress : tqdm progress bar for the bootstrap.
    interactions : moderation by the two-stage approach (Henseler & Chin 2010): a list of ``(x, z)``
        or ``(x, z, y)``. Stage 1 estimates ``model`` and takes the standardised scores of x and z;
        stage 2 adds the single-indicator construct ``"x*z"`` (their product) as a predictor of y
        (default: every construct that both x and z predict) and re-estimates. The bootstrap repeats
        both stages in every draw. :mod:`cem_edu.pls.moderation`; ``ce.moderation(..., method="pls")``
        adds the simple slopes.

    Returns
    -------
    PLSResult (tidy frames: ``paths``, ``loadings``, ``weights``, ``r2``, ``f2``, ``reliability``,
    ``htmt``, ``total_effects``, ``indirect_effects``, ``vif_inner``, ``vif_outer``, ...).

    The algorithm and its formulas: :mod:`cem_edu.pls.algorithm`. See also ``res.predict(data)``
    (PLSpredict), ``ce.ipma(res, data, target=...)`` (IPMA), ``ce.pls_mga`` (multigroup analysis with
    MICOM) and ``ce.plots.pls_path_diagram(res)``.

    References
    ----------
    Lohmöller (1989), Latent Variable Path Modeling with Partial Least Squares.
    Hair, Hult, Ringle & Sarstedt (2022), A Primer on PLS-SEM, 3rd ed., Sage.
    Dijkstra & Henseler (2015), Consistent partial least squares path modeling. MIS Quarterly 39(2).

    Examples
    --------
    >>> import cem_edu as ce
    >>> inst = ce.load_instrument()
    >>> data = ce.clean(ce.load_dataset("cem_survey"), inst)
    >>> res = ce.pls(inst.model(), data, bootstrap=500, seed=1, progress=False)
    >>> res.paths[["lhs", "rhs", "est", "se"]].round(2)      # doctest: +SKIP
    """
    from .estimate import pls_fit

    return pls_fit(model, data, weighting=weighting, consistent=consistent, bootstrap=bootstrap, seed=seed, ci=ci,
                   level=level, missing=missing, tol=tol, max_iter=max_iter, progress=progress,
                   interactions=interactions)


def __getattr__(name):
    if name == "PLSResult":
        from .result import PLSResult
        return PLSResult
    raise AttributeError(f"module 'cem_edu.pls' has no attribute {name!r}")
