"""Structural equation models in lavaan syntax: CFA, SEM, multigroup; ML estimation.

    import cem_edu as ce
    res = ce.fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", data)
    res.estimates; res.fit; res.r2; res.residuals(); res.total_effects()

The numbers follow lavaan 0.6 (``sem()``/``cfa()`` defaults, ML with biased
covariances, expected information, chisq = N F); tests compare them with stored
lavaan output (tests/reference/sem_core.R).

Internal interface (used by robust.py, fiml.py, bootstrap.py, invariance.py, power.py):

* ``prepare(model, data, group=, group_equal=, group_partial=, std_lv=, meanstructure=, missing=,
  fixed_x=) -> (Model, SampleStats, frame)`` — parse, parameter table, listwise moments, fixed.x filled in.
* ``ml.estimate(model, stats, start=x0, return_info=False) -> x`` (numpy only; warm start for
  bootstrap/power); ``ml.stats_from_moments(ov, covs, means, ns)`` builds SampleStats from moments.
* ``ml.objective(model, stats, x, need)``: F (``need=0``), + gradient (1), + expected Hessian (2,
  = 2 x unit expected information) or exact Hessian (3).
* ``ml.information(model, stats, x)``: unit expected information; ``vcov = inv(info) / N``.
* ``Model.implied(x) -> [(Sigma_g, mu_g or None)]``; ``Model.jacobian(x) -> [(dvechSigma_g (p*, npar),
  dmu_g (p, npar) or None)]``; ``Model.matrices(x, g)``; ``Model.total_effects(x, g)``;
  ``Model.rows`` / ``Model.partable`` (``free`` = 1-based index into x, shared by equal labels).
* ``finish(model, stats, x, opt, ..., information=None, vcov=None, warn_listwise=True) -> FitResult``
  (pass your own ``vcov`` for robust or bootstrap standard errors); ``fitmeasures.fit_measures(model,
  stats, x)``.
* ``ml.information_batch(model, X, weights) -> (R, k, k)``: unit expected information at many
  parameter rows at once (depends on x only; NaN rows where Sigma is not PD) — Monte Carlo power.
* ``ml.start_values`` always returns admissible starts (PD Sigma; covariances shrunk, else lavaan-like
  ``ml.simple_start``) or raises ModelError; ``ml.admissible_start(model, stats, x)`` repairs any x.
* ``Model.derivatives(x, g, local=True)``: derivatives of group g's own parameters only
  (``Model.active[g]``, global 0-based indices).
* ``fit(..., _warn_listwise=False)`` silences the listwise-deletion warning (emitted once per call
  otherwise) for callers that fit several models to the same data (invariance).
* ``_threads.single_blas_thread()`` (context manager) / ``blas_single_threaded`` (decorator): BLAS
  on one thread inside, restored after; ``fit``, ``ml.estimate``, ``ml.information``,
  ``ml.information_batch``, ``invariance`` and ``power`` already run inside it.
"""
from __future__ import annotations

import difflib
import warnings

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationWarning, ModelError
from ..i18n import t
from . import ml
from ._threads import blas_single_threaded, single_blas_thread  # noqa: F401 - re-exported
from .defined import DefinedParameters
from .fitmeasures import count_df, fit_measures
from .model import Model
from .partable import build_partable
from .result import FitResult, build_estimates
from .standardize import r_squared
from .syntax import parse_syntax

__all__ = ["fit", "FitResult", "prepare", "finish", "Model", "parse_syntax", "build_partable",
           "invariance", "power"]


def _frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame):
        return inner
    raise DataError(t("sem.data.not_frame", kind=type(data).__name__))


def _check_columns(frame: pd.DataFrame, ov: list, group: str | None) -> None:
    missing = [v for v in ov if v not in frame.columns]
    if missing:
        hints = []
        for v in missing:
            close = difflib.get_close_matches(v, [str(c) for c in frame.columns], n=3)
            hints.append(f"'{v}'" + (" (" + t("sem.data.did_you_mean") + " " + ", ".join(close) + ")" if close else ""))
        raise DataError(t("sem.data.missing_columns", columns=", ".join(hints)))
    if group is not None and group not in frame.columns:
        columns = [str(c) for c in frame.columns]
        close = difflib.get_close_matches(group, columns, n=3) or columns[:12]
        raise DataError(t("sem.data.missing_group", group=group, close=", ".join(close)))
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


def prepare(model: str, data, *, group: str | None = None, group_equal=None, group_partial=None,
            std_lv: bool = False, meanstructure: bool | None = None, missing: str = "listwise",
            fixed_x: bool = True):
    """Parse ``model``, build the parameter table and Model, compute listwise sample statistics.

    Returns ``(Model, SampleStats, frame)``; exogenous moments are filled in (fixed.x).
    Used by :func:`fit` and by the extra estimators (FIML, bootstrap, invariance, power).
    """
    frame = _frame(data)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataError(t("sem.data.empty"))
    statements, defined = parse_syntax(model)
    if any(s.op == "|" for s in statements):   # thresholds: only with fit(..., ordered=) (sem/wls.py)
        raise ModelError(t("sem.ordinal.needs_ordered", estimator="ML"))
    labels = None
    if group is not None:
        if group not in frame.columns:
            _check_columns(frame, [], group)
        col = frame[group]
        if isinstance(col.dtype, pd.CategoricalDtype):
            # like an R factor: the order of the categories (levels) that occur
            present = set(col.dropna().unique())
            labels = [c for c in col.cat.categories if c in present]
        else:
            labels = list(pd.unique(col.dropna()))   # order of first appearance (lavaan, character column)
        if len(labels) < 2:
            raise DataError(t("sem.data.one_group", group=group))
    ngroups = len(labels) if labels else 1
    ms = meanstructure if meanstructure is not None else (ngroups > 1 or missing in ("fiml", "ml"))
    pt, names = build_partable(statements, defined, ngroups=ngroups, std_lv=std_lv, meanstructure=ms,
                               group_equal=group_equal, group_partial=group_partial, fixed_x=fixed_x,
                               as_rows=True)
    ms = ms or any(r["op"] == "~1" for r in pt)
    mod = Model(pt, names, meanstructure=ms)
    _check_columns(frame, mod.ov, group)
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
        number is reported) or "fiml"/"ml" (full-information ML).
    group : column defining groups (multigroup model, groups in order of first appearance).
    group_equal : lavaan ``group.equal`` list, e.g. ``["loadings", "intercepts"]``.
    std_lv : identify factors by unit variances instead of marker loadings.
    bootstrap : number of bootstrap draws for SEs/CIs (0 = none); ``ci`` "percentile" or "bca".
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
    # --- ordinal items (issue #18): handed to sem/wls.py (thresholds + polychoric, WLSMV) ---
    if (ordered is not None and ordered is not False) or str(estimator).upper() in ("WLSMV", "DWLS", "ULSMV", "ULS"):
        from .wls import fit_ordered
        return fit_ordered(model, data, ordered=ordered, estimator=estimator, missing=missing, group=group,
                           group_equal=group_equal, group_partial=group_partial, std_lv=std_lv,
                           bootstrap=bootstrap, meanstructure=meanstructure, start=start, _warn=_warn_listwise)
    # --- end ordinal ---
    estimator = "ML" if estimator is None else str(estimator).upper()
    missing = str(missing).lower()
    if estimator not in ("ML", "MLR"):
        raise ModelError(t("sem.fit.bad_estimator", estimator=estimator))
    if missing not in ("listwise", "fiml", "ml"):
        raise ModelError(t("sem.fit.bad_missing", missing=missing))
    if missing in ("fiml", "ml"):
        try:
            from . import fiml as _fiml
        except ImportError:
            raise ModelError(t("sem.fit.not_available", what="missing='fiml'")) from None
        return _fiml.fit_fiml(model, data, estimator=estimator, group=group, group_equal=group_equal,
                              std_lv=std_lv, bootstrap=bootstrap, ci=ci, seed=seed, progress=progress,
                              group_partial=group_partial, fixed_x=fixed_x)
    mod, stats, _ = prepare(model, data, group=group, group_equal=group_equal, group_partial=group_partial,
                            std_lv=std_lv, meanstructure=meanstructure, missing=missing, fixed_x=fixed_x)
    x, opt = ml.estimate(mod, stats, start=start, return_info=True)
    res = finish(mod, stats, x, opt, syntax=model, estimator="ML", missing=missing, group=group,
                 warn_listwise=_warn_listwise)
    if estimator == "MLR":
        try:
            from .robust import apply_mlr
        except ImportError:
            raise ModelError(t("sem.fit.not_available", what="estimator='MLR'")) from None
        res = apply_mlr(res)
    if bootstrap and bootstrap > 0:
        try:
            from .bootstrap import bootstrap as _boot
        except ImportError:
            raise ModelError(t("sem.fit.not_available", what="bootstrap")) from None
        res = _boot(res, int(bootstrap), ci=ci, seed=seed, progress=progress, n_jobs=n_jobs, backend=backend)
    return res


def _modindices(self, sort: bool = False, minimum_value: float = 0.0):
    """Modification indices and expected parameter change (lavaan ``modindices()``); see
    :func:`cem_edu.sem.modindices.modindices`."""
    from .modindices import modindices
    return modindices(self, sort=sort, minimum_value=minimum_value)


FitResult.modindices = _modindices


# invariance() and power() live in submodules of the same name: import them eagerly so the
# functions, not the submodules, are bound to these names (both modules import lazily inside).
from .invariance import invariance  # noqa: E402
from .power import power  # noqa: E402

# small dense linear algebra runs faster on one BLAS thread (see _threads.py): scoped to each call
invariance = blas_single_threaded(invariance)
power = blas_single_threaded(power)
