"""Full-information maximum likelihood (FIML) for incomplete multivariate-normal data, as lavaan's
``missing = "ml"``: the FIML kind of sample statistics (missing-data patterns + EM H1 moments),
the estimator (quasi-Newton, then damped Newton on the casewise likelihood) and the FIML test
statistics and fit measures.

The casewise likelihood, its gradient and Hessian, the EM algorithm and the saturated-model
information live in :mod:`.missing` (shared with :mod:`.robust` and the bootstrap). The test
statistic is χ² = 2 (ℓ_H1 - ℓ_H0); standard errors use the observed information (the Hessian of
-ℓ at the final estimates), as lavaan 0.6 (``information = "observed"``). Nothing here assumes
centred data.

References: Arbuckle (1996) in Marcoulides & Schumacker (Eds.), Advanced SEM;
Enders (2010) Applied Missing Data Analysis; lavaan ``lav_mvnorm_missing.R``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .missing import (LOG2PI, CasewiseObjective, Pattern, PatternList, casewise_scores,  # noqa: F401
                      em_h1, h1_observed_information, independence_loglik, loglik, loglik_grad,
                      missing_patterns, numeric_hessian, sym_grad_to_vech, vech_rows_cols)

__all__ = ["fit_casewise", "FimlData", "fiml_sample_stats", "fiml_estimate", "fiml_measures"]


_H_REUSE = 1e-6   # a Hessian is reused after a Newton step shorter than this (max |Δx|): changes O(1e-6)


def armijo_halving(value_grad, x, f, p, slope, max_halvings):
    """Backtracking line search along the descent direction ``p`` (``slope = ∇f·p < 0``): the first
    step t = 1, 1/2, 1/4, ... (at most ``max_halvings`` tries) with a finite value satisfying the
    Armijo condition f(x + t p) ≤ f(x) + 10⁻⁴ t ∇f·p (+ 10⁻¹⁵ |f| for rounding).

    Returns (t, f(x + t p), ∇f(x + t p)), or None when no step qualifies. The one line search of the
    FIML chord and Newton steps and the FIML bootstrap's BFGS.

    Reference: Armijo (1966) Pacific J. Math. 16(1); Nocedal & Wright (2006) Numerical
    Optimization, 2nd ed., Algorithm 3.1.
    """
    t = 1.0
    for _half in range(max_halvings):
        fn, gn = value_grad(x + t * p)
        if np.isfinite(fn) and fn <= f + 1e-4 * t * slope + 1e-15 * abs(f):
            return t, fn, gn
        t /= 2
    return None


def _chord_steps(objective, x, f, g, H_approx, tol, max_steps=30):
    """Steps x ← x - H̃⁻¹∇ with a fixed positive definite approximation H̃ of the Hessian (the
    complete-data expected information), Armijo halving, while each step cuts max |∇| at least
    fourfold: cheap (one gradient per step) where the fraction of missing information is small.
    Returns (x, f, g, steps)."""
    try:
        C = np.linalg.cholesky(H_approx)
    except np.linalg.LinAlgError:
        return x, f, g, 0
    n = 0
    gmax = np.max(np.abs(g))
    while n < max_steps and gmax >= tol:
        d = np.linalg.solve(C.T, np.linalg.solve(C, g))
        found = armijo_halving(objective.value_grad, x, f, -d, -float(g @ d), 10)
        if found is None:
            break
        t, fn, gn = found
        x, f, g, n = x - t * d, fn, gn, n + 1
        gnew = np.max(np.abs(g))
        if gnew > 0.25 * gmax:
            break
        gmax = gnew
    return x, f, g, n


def fit_casewise(objective: CasewiseObjective, x0: np.ndarray, tol: float = 1e-10, max_iter: int = 2000,
                 max_newton: int = 100, gtol: float = 1e-6, H_approx: np.ndarray | None = None):
    """Minimise -ℓ/N from ``x0``: quasi-Newton (L-BFGS-B, analytic gradient), then a damped Newton
    method with the analytic Hessian (:meth:`CasewiseObjective.hessian`) until the gradient
    vanishes: step halving (Armijo) along the Newton direction, the Hessian shifted by a multiple
    of the identity (Levenberg) where it is not positive definite, steepest descent as the last
    resort. L-BFGS-B may stop early (its line search gives up on flat or badly scaled surfaces);
    the Newton phase then finishes the job. With ``H_approx`` (e.g. the complete-data expected
    information) chord steps with it come first, while they converge fast (:func:`_chord_steps`),
    saving analytic Hessians. Convergence is judged on the gradient (max |∂(-ℓ/N)/∂x| < ``gtol``),
    as on the listwise path.

    Returns (x, converged, H) with H the Hessian (observed information per case) at the returned x
    (recomputed after every step longer than 1e-6 in max |Δx|; a shorter step changes it by O(1e-6)
    relative, far below the 1e-3 agreement asked of SEs).
    """
    from scipy.optimize import minimize

    r = minimize(objective.value_grad, x0, jac=True, method="L-BFGS-B",
                 options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 30})
    x = r.x if np.isfinite(r.fun) else np.asarray(x0, float)
    objective.iterations = int(r.nit)  # quasi-Newton iterations, plus the Newton steps below
    f, g = objective.value_grad(x)
    if H_approx is not None and np.isfinite(f):
        x, f, g, n = _chord_steps(objective, x, f, g, H_approx, tol)
        objective.iterations += n
    H = None
    for _ in range(max_newton):
        if not np.isfinite(f) or np.max(np.abs(g)) < tol:
            break
        objective.iterations += 1
        if H is None:
            H = objective.hessian(x)
        step = None
        lam = 0.0
        scale = max(float(np.max(np.abs(np.diag(H)))), 1e-8)
        for _shift in range(12):
            try:
                C = np.linalg.cholesky(H + lam * np.eye(len(x)))
                step = np.linalg.solve(C.T, np.linalg.solve(C, g))
                break
            except np.linalg.LinAlgError:
                lam = scale * 1e-6 if lam == 0.0 else lam * 10.0
        accepted = False
        for direction in ([step] if step is not None else []) + [g / max(np.max(np.abs(g)), 1.0)]:
            found = armijo_halving(objective.value_grad, x, f, -direction, -float(g @ direction), 40)
            accepted = found is not None
            if accepted:
                t, fn, gn = found
                x, f, g = x - t * direction, fn, gn
                if np.max(np.abs(t * direction)) > _H_REUSE:
                    H = None          # the Hessian is recomputed at the new point
                break
        if not accepted:
            break
    converged = bool(np.isfinite(f) and np.all(np.isfinite(x)) and np.max(np.abs(g)) < gtol)
    if H is None:       # the information at the final estimates, not at an earlier point
        H = objective.hessian(x)
    return x, converged, H


# ----------------------------------------------------------------------------- fit(missing="fiml")
def _baseline_loglik(pats, p, xi, Sx=None, mux=None):
    """Log-likelihood of lavaan's baseline model under FIML: independent variables (available-case
    ML means and variances), except that the block of the exogenous covariates ``xi`` stays
    saturated (lavaan keeps it for fixed.x TRUE and FALSE): with y independent of x the likelihood
    factorises, so that block's ML estimates (``Sx``, ``mux``) are the EM moments of x alone."""
    mu, Sig, ll = independence_loglik(pats, p)
    if not len(xi):
        return ll
    Sig[np.ix_(xi, xi)] = Sx
    mu[xi] = mux
    return loglik(pats, Sig, mu)


def _fiml_measures(base, ll0, ll1, llb, npar, df, bdf, N, ll_x=0.0):
    """Overwrite the likelihood-based entries of the fit-measure Series under FIML
    (χ² = 2(ℓ_H1 - ℓ_H0), baseline χ² = 2(ℓ_H1 - ℓ_B), lavaan's formulas). With fixed exogenous
    covariates ``logl`` and ``unrestricted_logl`` are conditional on them (``ll_x``, the covariates'
    saturated log-likelihood, subtracted), as lavaan's fixed.x = TRUE."""
    from scipy import special

    f = base.copy()
    chisq, bchisq = 2 * (ll1 - ll0), 2 * (ll1 - llb)
    f["chisq"] = chisq
    f["pvalue"] = float(special.chdtrc(df, chisq)) if df > 0 else np.nan
    f["baseline_chisq"], f["baseline_df"] = bchisq, bdf
    f["baseline_pvalue"] = float(special.chdtrc(bdf, bchisq)) if bdf > 0 else np.nan
    d, db = max(chisq - df, 0.0), max(bchisq - bdf, 0.0)
    denom = max(chisq - df, bchisq - bdf, 0.0)
    f["cfi"] = 1.0 - d / denom if denom > 0 else 1.0
    if df > 0 and bdf > 0:
        t1, t2 = chisq / df, bchisq / bdf
        f["tli"] = f["nnfi"] = (t2 - t1) / (t2 - 1.0)
        f["rfi"] = min(max((t2 - t1) / t2, 0.0), 1.0) if t2 > 0 else np.nan
    f["nfi"] = (bchisq - chisq) / bchisq if bchisq > 0 else np.nan
    f["pnfi"] = df / bdf * f["nfi"] if bdf > 0 else np.nan
    f["ifi"] = (bchisq - chisq) / (bchisq - df) if bchisq != df else np.nan
    f["rni"] = 1.0 - d / db if db > 0 else 1.0
    ll0, ll1 = ll0 - ll_x, ll1 - ll_x
    f["logl"], f["unrestricted_logl"] = ll0, ll1
    f["aic"] = -2 * ll0 + 2 * npar
    f["bic"] = -2 * ll0 + npar * np.log(N)
    f["bic2"] = -2 * ll0 + npar * np.log((N + 2) / 24.0)
    return f


@dataclass
class FimlData:
    """The FIML kind of sample statistics of one data set, beside the EM (H1) moments kept in
    :class:`~cem_edu.sem.ml.SampleStats`: per group the missing-data patterns, the used rows
    ``Y`` (model variable order, NaN = missing), the baseline's covariate block
    ``base_x[g] = (Σ_x, μ_x)`` (or ``(None, None)``) and, over groups, ``ll_x`` the saturated
    log-likelihood of the fixed exogenous covariates (subtracted from logl, as lavaan)."""

    patterns: list
    Y: list
    base_x: list
    ll_x: float = 0.0
    bx: list = field(default_factory=list)      # indices of the baseline's covariate block


def fiml_sample_stats(frame, mod, group=None, labels=None, *, warn: bool = True, em_start=None):
    """Sample statistics for FIML (lavaan's ``missing = "ml"``): rows grouped into missing-data
    patterns, the saturated (H1) moments by EM, returned as a ``SampleStats`` (EM moments in
    ``cov``/``mean``) with ``stats.fiml`` a :class:`FimlData`.

    Rows with nothing observed are dropped (as lavaan). With fixed exogenous covariates
    (``fixed_x=True``) the likelihood is conditional on them, so rows with a missing covariate are
    dropped with a warning naming the covariates and the count (lavaan does the same).
    """
    import warnings

    import pandas as pd

    from ..errors import DataError, EstimationWarning
    from ..i18n import t
    from . import ml

    Yall = frame[list(mod.ov)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if group is not None:
        gcol = frame[group].to_numpy()
        parts = [np.flatnonzero(gcol == lab) for lab in labels]
    else:
        parts = [np.arange(len(frame))]
    groups, covs, means, ns, Ys, base_x = [], [], [], [], [], []
    n_dropped = 0
    p = mod.p
    xi = [mod.ov.index(v) for v in mod.names.ov_x]     # fixed.x covariates (conditioned on)
    bx = [mod.ov.index(v) for v in mod.names.ov_x + tuple(getattr(mod.names, "ov_x_free", ()))]
    x_dropped, x_counts, total = 0, np.zeros(len(xi), int), 0
    ll_x = 0.0
    for lab, rows in zip(labels or [None], parts):
        Y = Yall[rows]
        total += Y.shape[0]
        if xi:
            xmiss = np.isnan(Y[:, xi])
            drop = xmiss.any(axis=1)
            x_counts += xmiss[drop].sum(axis=0)
            x_dropped += int(drop.sum())
            Y = Y[~drop]
        seen = ~np.isnan(Y).all(axis=1)
        n_dropped += int((~seen).sum())
        Y = Y[seen]
        where = "" if lab is None else t("sem.data.in_group", group=lab)
        never = [mod.ov[j] for j in np.flatnonzero(np.isnan(Y).all(axis=0))]
        if never:
            raise DataError(t("sem.fiml.empty_column", columns=", ".join(never), where=where))
        if Y.shape[0] <= p:
            raise DataError(t("sem.data.too_few_rows", n=Y.shape[0], p=p, where=where))
        pats = missing_patterns(Y)
        mu1, S1, _ = em_h1(pats, p)
        if xi:
            X = Y[:, xi]
            Sx = np.cov(X.T, bias=True).reshape(len(xi), len(xi))
            ll_x += -0.5 * X.shape[0] * (len(xi) * LOG2PI + np.linalg.slogdet(Sx)[1] + len(xi))
        if bx:
            mux, Sxb, _ = em_h1(missing_patterns(Y[:, bx]), len(bx))
            base_x.append((Sxb, mux))
        else:
            base_x.append((None, None))
        groups.append(pats)
        Ys.append(Y)
        covs.append(S1)
        means.append(mu1)
        ns.append(Y.shape[0])
    if x_dropped and warn:
        from .pipeline import _user_stacklevel

        cols = ", ".join(f"{mod.names.ov_x[j]} ({int(x_counts[j])})" for j in np.flatnonzero(x_counts))
        warnings.warn(t("sem.warn.fixed_x_dropped", dropped=x_dropped, total=total, columns=cols,
                        n=total - x_dropped - n_dropped), EstimationWarning, stacklevel=_user_stacklevel())
    stats = ml.stats_from_moments(mod.ov, covs, means, ns, labels or [None], data=None,
                                  n_dropped=n_dropped + x_dropped, missing="ml")
    stats.fiml = FimlData(patterns=groups, Y=Ys, base_x=base_x, ll_x=float(ll_x), bx=bx)
    return stats


def fiml_estimate(mod, stats, start=None):
    """Estimate by FIML: start from ``start`` (user values or a warm start), else from the ML
    solution on the EM (H1) moments (close to the FIML solution); then :func:`fit_casewise`.
    Returns ``(x, EstimateInfo, H, objective)`` with H the observed information per case at x."""
    from . import ml

    if start is None:
        x0 = ml.estimate(mod, stats)
    else:
        x0 = ml.admissible_start(mod, stats, np.asarray(start, float))
    obj = CasewiseObjective(mod, stats.fiml.patterns)
    try:   # the complete-data expected information at the EM moments: chord steps before Newton
        H_approx = ml.information(mod, stats, x0)
    except Exception:  # noqa: BLE001 - only an accelerator
        H_approx = None
    x, converged, H = fit_casewise(obj, x0, H_approx=H_approx)
    gmax = float(np.max(np.abs(obj.grad(x)))) if len(x) else 0.0
    ll1 = sum(loglik(pats, S1, mu1) for pats, S1, mu1 in zip(stats.fiml.patterns, stats.cov, stats.mean))
    fmin = (ll1 - obj.loglik(x)) / obj.N          # χ²/(2N), χ² = 2(ℓ_H1 - ℓ_H0)
    opt = ml.EstimateInfo(bool(converged), getattr(obj, "iterations", 0), float(fmin), "casewise-lbfgs-newton",
                          gmax)
    return x, opt, H, obj


def fiml_measures(res, obj, mlr: bool = False):
    """Test statistic and fit measures of a FIML fit (χ² = 2(ℓ_H1 - ℓ_H0), the baseline model, the
    likelihoods conditional on fixed covariates, lavaan's FIML-C robust CFI/TLI/RMSEA: V3 for MLR,
    V6 for ML). Returns the FitResult with ``fit`` replaced."""
    from dataclasses import replace

    from .fitmeasures import count_df
    from .robust import fiml_corrected, fiml_robust_measures

    mod, stats, x = res.model, res.stats, res.x
    fd = stats.fiml
    N = obj.N
    p = mod.p
    ll0 = obj.loglik(x)
    ll1 = sum(loglik(pats, S1, mu1) for pats, S1, mu1 in zip(fd.patterns, stats.cov, stats.mean))
    llb = sum(_baseline_loglik(pats, p, fd.bx, Sx, mux) for pats, (Sx, mux) in zip(fd.patterns, fd.base_x))
    df = count_df(mod)
    px = len(fd.bx)
    bdf = mod.ngroups * (p * (p - 1) // 2 - px * (px - 1) // 2)
    fm = _fiml_measures(res.fit, ll0, ll1, llb, mod.npar, df, bdf, N, fd.ll_x)
    try:
        rob = fiml_robust_measures(fiml_corrected(obj, x, stats, "V3" if mlr else "V6", base_x=fd.base_x),
                                   N, mod.ngroups)
    except (np.linalg.LinAlgError, ValueError):
        rob = {}
    for k, v in rob.items():
        fm[k] = v
    return replace(res, fit=fm, se_type="standard", extras={**res.extras, "fiml": {"patterns": fd.patterns}})
