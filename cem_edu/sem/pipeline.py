"""The estimation pipeline behind :func:`cem_edu.sem.fit`, in the order lavaan runs it:

data -> sample statistics (listwise moments, or missing-data patterns + EM H1 moments for FIML)
-> parameter table and model matrices -> start values -> estimation -> information / vcov
-> test statistics -> fit measures -> standardised solution (-> robust SEs, bootstrap).

Listwise and FIML are two kinds of sample statistics and objective in the same pipeline
(``stats.fiml`` is None for listwise): :func:`prepare` builds either; the estimation step
calls :func:`cem_edu.sem.ml.estimate` or :func:`cem_edu.sem.fiml.fiml_estimate`; every
option reaches both paths or raises a clear error.

Reference: Rosseel (2012), lavaan, J. Stat. Softw. 48(2); lavaan ``lav_lavaan.R``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationWarning, ModelError
from ..i18n import t
from ..intake import as_frame
from . import ml
from ..stats.threads import blas_single_threaded
from ..validation import check_columns, check_group_column
from .defined import DefinedParameters
from .fitmeasures import count_df, fit_measures
from .model import Model
from .partable import build_partable
from .result import FitResult, build_estimates
from .standardize import implied_sds, r_squared
from .syntax import parse_syntax

__all__ = ["fit", "prepare", "finish", "group_labels"]


def _check_columns(frame: pd.DataFrame, ov: list, group: str | None) -> None:
    check_columns(frame, ov, key="sem.data.missing_columns")
    check_group_column(frame, group)
    bad = []
    dtypes = frame.dtypes
    for v in ov:
        if pd.api.types.is_numeric_dtype(dtypes[v]) or pd.api.types.is_bool_dtype(dtypes[v]):
            continue
        col = frame[v]
        conv = pd.to_numeric(col, errors="coerce")
        nbad = int((conv.isna() & col.notna()).sum())
        if nbad:
            example = col[conv.isna() & col.notna()].iloc[0]
            bad.append(f"'{v}' ({nbad} " + t("sem.data.values") + f", e.g. {example!r})")
    if bad:
        raise DataError(t("sem.data.non_numeric", columns="; ".join(bad)))


def _check_stats(stats: ml.SampleStats, model: Model) -> None:
    ov = stats.ov
    for g, S in enumerate(stats.cov):
        where = "" if stats.group_labels[g] is None else t("sem.data.in_group", group=stats.group_labels[g])
        n = stats.n[g]
        if n <= len(ov):
            raise DataError(t("sem.data.too_few_rows", n=n, p=len(ov), where=where))
        sd = np.sqrt(np.diag(S))
        zero = [ov[i] for i in np.flatnonzero(sd < 1e-12)]
        if zero:
            raise DataError(t("sem.data.zero_variance", columns=", ".join(zero), where=where))
        R = S / np.outer(sd, sd)
        w, V = np.linalg.eigh(R)
        if w[0] < 1e-10:
            v = V[:, 0]
            names = [ov[i] for i in np.argsort(-np.abs(v)) if abs(v[i]) > 0.1][:6]
            raise DataError(t("sem.data.not_pd", columns=", ".join(names), where=where))


def _identification(model: Model) -> None:
    df = count_df(model)
    if df < 0:
        raise ModelError(t("sem.model.negative_df", df=df, npar=model.npar, moments=df + model.npar))
    rows = [r for r in model.rows if r["op"] != ":=" and r["group"] == 1]
    for f in model.names.lv:
        ind = [r for r in rows if r["op"] == "=~" and r["lhs"] == f]
        if len(ind) == 1:
            v = ind[0]["rhs"]
            res = [r for r in rows if r["op"] == "~~" and r["lhs"] == v and r["rhs"] == v]
            var = [r for r in rows if r["op"] == "~~" and r["lhs"] == f and r["rhs"] == f]
            free_count = int(ind[0]["free"] > 0) + int(bool(res) and res[0]["free"] > 0) \
                + int(bool(var) and var[0]["free"] > 0)
            if free_count >= 2 and f not in model.names.eqs_y and f not in model.names.eqs_x:
                raise ModelError(t("sem.model.single_indicator", factor=f, item=v))


def group_labels(frame: pd.DataFrame, group: str | None) -> list | None:
    """Group labels in lavaan's order: the categories that occur for a categorical column (an R
    factor's levels), else the order of first appearance (a character column); None without groups."""
    if group is None:
        return None
    check_group_column(frame, group)
    col = frame[group]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.dropna().unique())
        labels = [c for c in col.cat.categories if c in present]
    else:
        labels = list(pd.unique(col.dropna()))
    if len(labels) < 2:
        raise DataError(t("sem.data.one_group", group=group))
    return labels


def prepare(model: str, data, *, group: str | None = None, group_equal=None, group_partial=None,
            std_lv: bool = False, meanstructure: bool | None = None, missing: str = "listwise",
            fixed_x: bool = True, warn: bool = True):
    """Parse ``model``, build the parameter table and Model, compute the sample statistics.

    Returns ``(Model, SampleStats, frame)``; exogenous moments are filled in (fixed.x). The
    sample statistics are the listwise moments, or for ``missing="fiml"`` the EM (H1) moments
    with the missing-data patterns in ``stats.fiml`` (:func:`cem_edu.sem.fiml.fiml_sample_stats`).
    Used by :func:`fit` and by the extra estimators (bootstrap, invariance, power).
    """
    frame = as_frame(data)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataError(t("sem.data.empty"))
    fiml = missing in ("fiml", "ml")
    if fiml and meanstructure is False:
        raise ModelError(t("sem.fiml.meanstructure"))
    statements, defined = parse_syntax(model)
    if any(st.op == "|" for st in statements):   # thresholds: only with fit(..., ordered=) (sem/wls.py)
        raise ModelError(t("sem.ordinal.needs_ordered", estimator="ML"))
    labels = group_labels(frame, group)
    ngroups = len(labels) if labels else 1
    ms = meanstructure if meanstructure is not None else (ngroups > 1 or fiml)
    pt, names = build_partable(statements, defined, ngroups=ngroups, std_lv=std_lv, meanstructure=ms,
                               group_equal=group_equal, group_partial=group_partial, fixed_x=fixed_x,
                               as_rows=True)
    ms = ms or any(r["op"] == "~1" for r in pt)
    mod = Model(pt, names, meanstructure=ms)
    if fiml and mod.has_inequalities:
        raise ModelError(t("sem.constraint.no_inequality", what="missing='fiml'"))
    _check_columns(frame, mod.ov, group)
    if fiml:
        from .fiml import fiml_sample_stats

        stats = fiml_sample_stats(frame, mod, group, labels, warn=warn)
    else:
        stats = ml.sample_stats(frame, mod.ov, group=group, group_labels=labels)
        stats.missing = missing
    _check_stats(stats, mod)
    ml.fill_exo(mod, stats)
    _identification(mod)
    return mod, stats, frame


def _singular_params(model: Model, info: np.ndarray) -> list[str]:
    w, V = np.linalg.eigh(info)
    if w[0] > 1e-9 * max(w[-1], 1.0):
        return []
    v = V[:, 0] if getattr(model, "_K", None) is None else model._K @ V[:, 0]   # == constraints: theta
    pt = model.partable
    out = []
    for k in np.argsort(-np.abs(v)):
        if abs(v[k]) < 0.2:
            break
        r = pt[pt["free"] == k + 1].iloc[0]
        out.append(f"{r.lhs} {r.op} {r.rhs}".strip())
    return out


def finish(mod: Model, stats: ml.SampleStats, x: np.ndarray, opt: ml.EstimateInfo, *, syntax: str = "",
           estimator: str = "ML", missing: str = "listwise", group: str | None = None,
           information: np.ndarray | None = None, vcov: np.ndarray | None = None,
           warn_listwise: bool = True) -> FitResult:
    """Build the FitResult (estimates, fit measures, R²) from an estimated ``x``.

    Emits the EstimationWarnings of the fit (Heywood case, non-convergence, and — once, for
    all groups together — the rows listwise deletion dropped unless ``warn_listwise=False``).
    """
    if information is None:
        information = ml.information(mod, stats, x)
    if vcov is None and not np.all(np.isfinite(information)):
        raise ModelError(t("sem.model.inadmissible"))
    if vcov is None:
        bad = _singular_params(mod, information)
        if bad:
            raise ModelError(t("sem.model.not_identified", params=", ".join(bad)))
        vcov = mod.inverse_information(information) / stats.ntotal   # active < > constraints as ==
    defined = DefinedParameters(mod.rows)
    estimates = build_estimates(mod, x, vcov, defined)
    fm = fit_measures(mod, stats, x, fmin=opt.fmin)
    r2 = r_squared(mod, x)
    res = FitResult(estimates=estimates, fit=fm, r2=r2, model=mod, stats=stats, x=x, vcov=vcov,
                    information=information, defined=defined, opt=opt, syntax=syntax, estimator=estimator,
                    missing=missing, group=group)
    _warn_heywood(res, warn_listwise=warn_listwise)
    return res


def _user_stacklevel() -> int:
    """stacklevel for warnings.warn that points at the first frame outside cem_edu."""
    import os
    import sys

    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    f, level = sys._getframe(1), 1
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(pkg):
        f, level = f.f_back, level + 1
    return level


def _cov_lv_not_pd(res: FitResult) -> list[tuple[int, float]]:
    """Groups whose model-implied covariance matrix of the latent variables is not positive definite.

    Cov(η) = (I − B)⁻¹ Ψ (I − B)⁻ᵀ over the latent variables (lavaan's ``lavInspect(fit, "cov.lv")``);
    flagged, as lavaan's ``lav_object_post_check``, when its smallest eigenvalue is below
    −ε^(3/4) (ε the machine epsilon). Returns ``(group index, smallest eigenvalue)`` pairs.
    """
    mod = res.model
    lv = [mod.eta.index(v) for v in mod.names.lv if v in mod.eta]
    if not lv:
        return []
    out = []
    for g in range(mod.ngroups):
        cov_eta = implied_sds(mod, res.x, g)[2]
        lam = float(np.linalg.eigvalsh(cov_eta[np.ix_(lv, lv)]).min())
        if lam < -np.finfo(float).eps ** 0.75:
            out.append((g, lam))
    return out


def _warn_heywood(res: FitResult, warn_listwise: bool = True) -> None:
    sl = _user_stacklevel()      # the user's line that called fit(), also through wrappers
    est = res.estimates
    op, lhs, rhs = est["op"].to_numpy(), est["lhs"].to_numpy(), est["rhs"].to_numpy()
    val, sa = est["est"].to_numpy(dtype=float), est["std_all"].to_numpy(dtype=float)
    neg = np.flatnonzero((op == "~~") & (lhs == rhs) & (val < 0))
    if len(neg):
        names = ", ".join(f"{lhs[i]} ~~ {rhs[i]} = {val[i]:.3f}" for i in neg)
        warnings.warn(t("sem.warn.negative_variance", params=names), EstimationWarning, stacklevel=sl)
    big = np.flatnonzero((op == "=~") & (np.abs(sa) > 1))
    if len(big):
        names = ", ".join(f"{lhs[i]} =~ {rhs[i]} = {sa[i]:.3f}" for i in big)
        warnings.warn(t("sem.warn.std_loading", params=names), EstimationWarning, stacklevel=sl)
    for g, lam in _cov_lv_not_pd(res):
        warnings.warn(t("sem.warn.cov_lv_not_pd", group=f" ({res.group_labels[g]})" if res.group else "",
                        eigenvalue=f"{lam:.4f}"), EstimationWarning, stacklevel=sl)
    if not res.converged:
        warnings.warn(t("sem.warn.not_converged", iterations=res.opt.iterations), EstimationWarning, stacklevel=sl)
    if warn_listwise and res.n_dropped and res.missing == "listwise":
        total = res.n_dropped + res.n_used
        warnings.warn(t("sem.warn.listwise", dropped=res.n_dropped, total=total,
                        percent=round(100 * res.n_dropped / total), n=res.n_used), EstimationWarning, stacklevel=sl)


@blas_single_threaded
def fit(model: str, data, estimator: str | None = None, missing: str = "listwise", group: str | None = None,
        group_equal=None, std_lv: bool = False, bootstrap: int = 0, ci: str = "percentile", seed=None,
        progress: bool = True, *, group_partial=None, meanstructure: bool | None = None,
        fixed_x: bool = True, start=None, n_jobs: int = 1, backend: str | None = None,
        ordered=None, _warn_listwise: bool = True) -> FitResult:
    """Fit a CFA/SEM model written in lavaan syntax.

    Parameters
    ----------
    model : lavaan model syntax (``=~ ~ ~~ ~1 :=``, labels, fixed values, linear constraints
        ``== < >`` on labels, see :mod:`cem_edu.sem.constraints`).
    data : DataFrame, or an object with a ``.data`` DataFrame (``CleanData``).
    estimator : "ML" (normal theory, the default) or "MLR" (robust SEs and scaled test); with
        ``ordered``: "WLSMV" (the default, as lavaan), "DWLS", "ULSMV" or "ULS".
    missing : "listwise" (rows with a missing model variable are dropped, and the
        number is reported) or "fiml"/"ml" (full-information ML, lavaan's ``missing = "ml"``:
        mean structure always, observed-information SEs; bootstrap and MLR work as well).
    group : column defining groups (multigroup model; groups in order of first appearance, or
        the order of the categories of a categorical column, as an R factor).
    group_equal : lavaan ``group.equal`` list, e.g. ``["loadings", "intercepts"]``.
    std_lv : identify factors by unit variances instead of marker loadings.
    meanstructure : add intercepts and latent means (default: with groups or FIML); FIML
        cannot do without (``False`` raises).
    fixed_x : lavaan's ``fixed.x``: exogenous observed covariates are fixed at their sample
        moments and the likelihood (logl, baseline) is conditional on them; under FIML rows with
        a missing covariate are dropped with a warning. ``False`` models the covariates (their
        variances, covariances and means become free parameters).
    start : starting values, one per free parameter (e.g. ``res.x`` of an earlier fit).
    bootstrap : number of bootstrap draws for SEs/CIs (0 = none); ``ci`` "percentile" (lavaan
        "perc"), "bca.simple" or "bca".
    seed, progress : bootstrap random seed and progress bar.
    n_jobs, backend : bootstrap parallelism through joblib (``backend="dask"`` runs on a
        dask.distributed cluster; the draws do not depend on either).
    ordered : True (all observed variables) or a list of columns: ordinal items, fitted as lavaan's
        ``ordered=`` (thresholds + polychoric correlations, delta parameterization, WLSMV);
        ``missing`` then is "listwise" (lavaan's default) or "pairwise". See :mod:`cem_edu.sem.wls`.
    _warn_listwise : private; ``False`` silences the listwise-deletion warning (for callers
        that fit several models to the same data, e.g. invariance, and warn once themselves).
        Otherwise it is emitted once per call, for all groups together.

    Returns
    -------
    FitResult with ``.estimates``, ``.fit``, ``.r2``, ``.residuals()``, ``.to_dict()``.

    ML discrepancy F = log|Σ| + tr(SΣ⁻¹) − log|S| − p (+ mean part); chisq = N·F.
    Reference: Rosseel (2012), lavaan, J. Stat. Softw. 48(2).
    """
    # ordinal items (issue #18): thresholds + polychoric correlations, WLSMV, in sem/wls.py
    if (ordered is not None and ordered is not False) or str(estimator).upper() in ("WLSMV", "DWLS", "ULSMV", "ULS"):
        from .wls import fit_ordered
        return fit_ordered(model, data, ordered=ordered, estimator=estimator, missing=missing, group=group,
                           group_equal=group_equal, group_partial=group_partial, std_lv=std_lv,
                           bootstrap=bootstrap, meanstructure=meanstructure, start=start, _warn=_warn_listwise)
    estimator = "ML" if estimator is None else str(estimator).upper()
    missing = str(missing).lower()
    if estimator not in ("ML", "MLR"):
        raise ModelError(t("sem.fit.bad_estimator", estimator=estimator))
    if missing not in ("listwise", "fiml", "ml"):
        raise ModelError(t("sem.fit.bad_missing", missing=missing))
    fiml = missing in ("fiml", "ml")
    # 1-3. data -> sample statistics (listwise moments or patterns + EM H1) -> model matrices
    mod, stats, _ = prepare(model, data, group=group, group_equal=group_equal, group_partial=group_partial,
                            std_lv=std_lv, meanstructure=meanstructure, missing=missing, fixed_x=fixed_x)
    if start is not None:
        start = np.asarray(start, dtype=float).ravel()
        if start.shape != (mod.npar,) or not np.all(np.isfinite(start)):
            raise ModelError(t("sem.fit.bad_start", n=start.size, npar=mod.npar))
    # 4-6. start values -> estimation -> information (expected: listwise ML; observed: FIML)
    obj = information = None
    if fiml:
        from .fiml import fiml_estimate

        x, opt, information, obj = fiml_estimate(mod, stats, start=start)
    else:
        x, opt = ml.estimate(mod, stats, start=start, return_info=True)
    # 7-9. vcov -> test statistics -> fit measures -> standardised solution
    res = finish(mod, stats, x, opt, syntax=model, estimator="ML", missing="ml" if fiml else missing,
                 group=group, information=information, warn_listwise=_warn_listwise)
    if fiml:
        from .fiml import fiml_measures

        res = fiml_measures(res, obj, mlr=estimator == "MLR")
    if estimator == "MLR":
        from .robust import apply_mlr

        if fiml:
            res = apply_mlr(res, objective=obj, h1=list(zip(stats.cov, stats.mean)), A=information)
        else:
            res = apply_mlr(res)
    if fiml or estimator == "MLR":
        from .missing import clear_memo

        clear_memo()
    if bootstrap and bootstrap > 0:
        from .bootstrap import bootstrap as _boot

        res = _boot(res, int(bootstrap), ci=ci, seed=seed, progress=progress, n_jobs=n_jobs, backend=backend)
    return res
